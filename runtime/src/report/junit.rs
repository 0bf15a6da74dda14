//! A JUnit XML report: one test case per expectation.

use super::{RunReport, RunStatus};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML for a run. A run that stopped on an error gets one extra
/// test case carrying the error, so CI systems show it.
pub fn junit_xml(report: &RunReport) -> String {
    let suite = report
        .script
        .rsplit('/')
        .next()
        .unwrap_or(&report.script)
        .trim_end_matches(".rhai");
    let failures = report.expectations.iter().filter(|e| !e.passed).count();
    let errors = usize::from(report.status == RunStatus::Error);
    let tests = report.expectations.len() + errors;
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<testsuites name=\"diorama\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    ));
    x.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n",
        escape(suite)
    ));
    x.push_str("    <properties>\n");
    x.push_str(&format!(
        "      <property name=\"seed\" value=\"{}\"/>\n",
        report.seed
    ));
    x.push_str(&format!(
        "      <property name=\"virtual_start\" value=\"{}\"/>\n",
        escape(&report.start)
    ));
    x.push_str(&format!(
        "      <property name=\"virtual_end\" value=\"{}\"/>\n",
        escape(&report.end)
    ));
    for v in &report.values {
        x.push_str(&format!(
            "      <property name=\"{}\" value=\"{}\"/>\n",
            escape(&v.name),
            escape(&v.value.to_string())
        ));
    }
    x.push_str("    </properties>\n");
    for e in &report.expectations {
        x.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            escape(suite),
            escape(&e.message)
        ));
        if e.passed {
            x.push_str("</testcase>\n");
        } else {
            x.push_str(&format!(
                "\n      <failure message=\"{}\">expectation failed at {}</failure>\n    </testcase>\n",
                escape(&e.message),
                escape(&e.at)
            ));
        }
    }
    if let Some(err) = &report.error {
        x.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"run\">\n      <error message=\"{}\"/>\n    </testcase>\n",
            escape(suite),
            escape(err)
        ));
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Expectation, RunReport};

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
        let x = junit_xml(&r);
        assert!(x.contains("name=\"a &lt; b &amp; &quot;c&quot;\""), "{x}");
        assert!(x.contains("tests=\"2\" failures=\"1\" errors=\"0\""), "{x}");
        assert!(x.contains("<failure message=\"fails\">expectation failed at x.rhai:2:1</failure>"));
        assert!(x.contains("testsuite name=\"x\""));
    }
}
