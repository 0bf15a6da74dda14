//! Loading: files that are not components, another interface version,
//! replacing a plugin, a missing folder.

use super::*;

#[test]
fn a_non_component_file_is_a_load_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"this is not webassembly").expect("write");
    let mut host = PluginHost::new(options()).expect("host");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not a WebAssembly component: not a WebAssembly file at all",
            junk.display()
        )
    );

    // A core module is recognised as such.
    std::fs::write(&junk, b"\0asm\x01\0\0\0").expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert!(
        e.to_string().contains("it is a core WebAssembly module"),
        "{e}"
    );

    // A component that is not well-formed.
    std::fs::write(&junk, b"\0asm\x0d\0\x01\0\x07\x09garbage").expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert!(
        e.to_string().starts_with(&format!(
            "{}: not a valid WebAssembly component",
            junk.display()
        )),
        "{e}"
    );
}

/// A component exporting an empty instance under `export_name`.
fn component_exporting(export_name: Option<&str>) -> Vec<u8> {
    use wasm_encoder::{
        Component, ComponentExportKind, ComponentExportSection, ComponentInstanceSection,
    };
    let mut component = Component::new();
    if let Some(name) = export_name {
        let mut instances = ComponentInstanceSection::new();
        instances.export_items(std::iter::empty::<(&str, ComponentExportKind, u32)>());
        component.section(&instances);
        let mut exports = ComponentExportSection::new();
        exports.export(name, ComponentExportKind::Instance, 0, None);
        component.section(&exports);
    }
    component.finish()
}

#[test]
fn a_plugin_for_another_interface_version_is_refused_before_instantiation() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("y.wasm"),
        component_exporting(Some("diorama:platform/simulator@0.4.0")),
    )
    .expect("write");
    let mut host = PluginHost::new(options()).expect("host");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Version {
            found: Some("0.4.0".into())
        }
    );
    assert_eq!(
        e.to_string(),
        "plugin y.wasm was built for diorama:platform@0.4.0; this diorama supports 0.1.0, 0.2.0, 0.3.0"
    );

    // A supported version whose export is not that version's simulator.
    std::fs::write(
        dir.path().join("y.wasm"),
        component_exporting(Some("diorama:platform/simulator@0.2.0")),
    )
    .expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert!(
        e.to_string()
            .contains("does not match diorama:platform@0.2.0"),
        "{e}"
    );

    std::fs::write(dir.path().join("y.wasm"), component_exporting(None)).expect("write");
    let e = host.load_dir(dir.path()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Version { found: None });
    assert_eq!(
        e.to_string(),
        "plugin y.wasm is not a diorama platform: it does not export `diorama:platform/simulator` (it exports: nothing)"
    );
}

#[test]
fn a_plugin_of_the_same_name_replaces_the_earlier_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        test_plugins().join("hostile.wasm"),
        dir.path().join("again.wasm"),
    )
    .expect("copy");
    let mut host = hostile_host();
    host.load_dir(dir.path()).expect("load");
    assert_eq!(host.plugins().len(), 3, "archive, hostile and legacy");
    assert_eq!(
        host.get("hostile").expect("hostile").source,
        PluginSource::File(dir.path().join("again.wasm"))
    );
}

#[test]
fn a_missing_plugin_directory_is_a_load_error() {
    let mut host = PluginHost::new(options()).expect("host");
    let e: PluginError = host.load_dir(Path::new("does/not/exist")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Load);
    assert!(
        e.to_string()
            .starts_with("does/not/exist: cannot read the plugin directory"),
        "{e}"
    );
}
