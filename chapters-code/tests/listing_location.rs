//! Where a failed layer check says it was called from, when it runs on a
//! thread named `main`, as a book listing does (each listing is its own
//! program). Its own test binary: it sets an environment variable, which
//! must not race with other tests.

use backprop::layer_check::{try_check_layer, LISTING_VAR};
use ndarray::{ArrayD, IxDyn};

/// A layer check that fails (`dx` is doubled), run on a thread named
/// `name`; returns the failure message and the line of the call.
fn failure_on_thread(name: &str) -> (String, u32) {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(|| {
            let x = ArrayD::from_elem(IxDyn(&[2]), 0.5);
            let line = line!() + 1;
            let err = try_check_layer(
                "double",
                &[("x", x)],
                |v| v[0].clone(),
                |_, dy| vec![dy * 2.0],
            )
            .unwrap_err();
            (err.message, line)
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_listing_is_named_by_its_page_and_line() {
    // Not a test thread: the message names no test.
    std::env::remove_var(LISTING_VAR);
    let (msg, line) = failure_on_thread("main");
    assert!(
        msg.ends_with(&format!(
            "checked from chapters-code/tests/listing_location.rs:{line}:23"
        )),
        "{msg}"
    );
    assert!(!msg.contains("(test "), "{msg}");

    // In a listing: the page, and the line on the page. A listing whose
    // fence is on line 100 has its call on line 100 + line - 1.
    std::env::set_var(LISTING_VAR, "src/relu.md:100");
    let (msg, line) = failure_on_thread("main");
    let on_page = 100 + line - 1;
    assert!(
        msg.ends_with(&format!(
            "checked from src/relu.md:{on_page} (the listing at src/relu.md:100)"
        )),
        "{msg}"
    );
    std::env::remove_var(LISTING_VAR);

    // On a test thread: the caller and the test.
    let (msg, _) = failure_on_thread("layer_tests::one");
    assert!(msg.ends_with("(test layer_tests::one)"), "{msg}");
}
