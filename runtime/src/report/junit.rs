//! A JUnit XML report: one test case per expectation, written by
//! `quick-junit` (escaping, counts, layout).

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::RunReport;

/// The JUnit XML for a run. A run that stopped on an error gets one extra
/// test case carrying the error, so CI systems show it.
pub fn junit_xml(report: &RunReport) -> Result<String, quick_junit::SerializeError> {
    let name = report
        .script
        .rsplit('/')
        .next()
        .unwrap_or(&report.script)
        .trim_end_matches(".rhai");
    let mut suite = TestSuite::new(name);
    suite.add_property(Property::new("seed", report.seed.to_string()));
    suite.add_property(Property::new("virtual_start", &report.start));
    suite.add_property(Property::new("virtual_end", &report.end));
    for v in &report.values {
        suite.add_property(Property::new(&v.name, v.value.to_string()));
    }
    for e in &report.expectations {
        let status = if e.passed {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(&e.message)
                .set_description(format!("expectation failed at {}", e.at));
            s
        };
        let mut case = TestCase::new(&e.message, status);
        case.set_classname(name);
        suite.add_test_case(case);
    }
    if let Some(err) = &report.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(err);
        let mut case = TestCase::new("run", status);
        case.set_classname(name);
        suite.add_test_case(case);
    }
    let mut out = Report::new("diorama");
    out.add_test_suite(suite);
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Expectation, RunReport};

    /// The start tag of the first `<tag ` element.
    fn start_tag<'a>(x: &'a str, tag: &str) -> &'a str {
        let from = x
            .find(&format!("<{tag} "))
            .unwrap_or_else(|| panic!("no <{tag}: {x}"));
        let len = x[from..].find('>').expect("a closed tag");
        &x[from..from + len]
    }

    #[test]
    fn escapes_and_counts_failures() {
        let r = RunReport::new(
            "s/x.rhai".into(),
            7,
            0,
            1000,
            0,
            Default::default(),
            vec![],
            vec![
                Expectation {
                    message: "a < b & \"c\"".into(),
                    passed: true,
                    at: "x.rhai:1:1".into(),
                },
                Expectation {
                    message: "fails".into(),
                    passed: false,
                    at: "x.rhai:2:1".into(),
                },
            ],
            vec![],
            None,
        );
        let x = junit_xml(&r).unwrap();
        assert!(x.contains("name=\"a &lt; b &amp; &quot;c&quot;\""), "{x}");
        // The counts, on the report and on its suite (quick-junit puts a
        // `skipped` count among them, so each is looked for on its own).
        for tag in ["testsuites", "testsuite"] {
            let t = start_tag(&x, tag);
            for count in ["tests=\"2\"", "failures=\"1\"", "errors=\"0\""] {
                assert!(t.contains(count), "{t}: no {count}");
            }
        }
        assert!(x.contains("<failure message=\"fails\">expectation failed at x.rhai:2:1</failure>"));
        assert!(x.contains("testsuite name=\"x\""));
    }
}
