//! The crate's integration tests, built as one test binary (`--test
//! integration`): each file here is one module of it, so the library and
//! the test dependencies are linked once rather than once per file.
//! `listing_location.rs` stays a binary of its own (see there).

/// Declares each file as a module, and lists their names for
/// [`every_file_here_is_compiled`].
macro_rules! modules {
    ($($name:ident),* $(,)?) => {
        $(mod $name;)*
        const MODULES: &[&str] = &[$(stringify!($name)),*];
    };
}

modules!(
    allocations,
    checker_edges,
    classic_mistakes,
    layer_check_edges,
    properties,
    worked_examples,
);

/// The test binaries of this directory, as `chapters-code/Cargo.toml`
/// declares them (`autotests = false`).
const OWN_BINARIES: &[&str] = &["main", "listing_location"];

/// Cargo no longer finds the files here by itself, so a new file that is
/// neither a module above nor its own binary would never be compiled.
#[test]
fn every_file_here_is_compiled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    for entry in
        std::fs::read_dir(&dir).expect("chapters-code/tests is readable")
    {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if !MODULES.contains(&stem.as_str())
                && !OWN_BINARIES.contains(&stem.as_str())
            {
                missing.push(format!("chapters-code/tests/{stem}.rs"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} never compiled: add it to `modules!` in chapters-code/tests/main.rs",
        missing.join(", ")
    );
}
