//! The gradient checker at the exact edges of its rules. The checker is the
//! referee of every other test in the book, so each comparison it makes is
//! pinned here on both sides of its boundary, with numbers chosen so that
//! the arithmetic is exact (powers of two for the step and the point).

use backprop::gradcheck::{
    on_kink, relative_error, try_check_gradient_with, ABSOLUTE_FLOOR, KINK_TOLERANCE, TOLERANCE,
};
use backprop::scalar::Graph;
use ndarray::{array, Array1};

/// A step that is a power of two, so `x ± h` and the slopes below are
/// computed exactly.
const H2: f64 = 1.0 / 65536.0;

#[test]
fn on_kink_is_strict_at_its_threshold() {
    // |forward - backward| = KINK_TOLERANCE · 1 exactly: not a kink.
    assert!(!on_kink(KINK_TOLERANCE, 0.0));
    assert!(on_kink(2.0 * KINK_TOLERANCE, 0.0));
}

#[test]
fn on_kink_scales_its_threshold_with_the_larger_slope() {
    // Slopes near 2: the threshold is 2 · KINK_TOLERANCE.
    assert!(!on_kink(2.0, 2.0 - 1.5 * KINK_TOLERANCE));
    assert!(on_kink(2.0, 2.0 - 2.5 * KINK_TOLERANCE));
    // Below 1 the scale stays 1.
    assert!(!on_kink(0.5, 0.5 - 0.9 * KINK_TOLERANCE));
    assert!(on_kink(-0.5, -0.5 - 1.1 * KINK_TOLERANCE));
}

/// `10 · max(0, x)`, kinked at 0 with one-sided slopes 0 and 10.
fn steep_relu(x: &Array1<f64>) -> f64 {
    10.0 * x.mapv(|v| v.max(0.0)).sum()
}

#[test]
fn at_a_kink_the_slack_between_the_slopes_scales_with_them() {
    // x = h/2: the forward slope is 10, the backward slope 5, and the
    // centred difference 7.5. Tolerance 2⁻²⁰ gives a slack of
    // 10 · 2⁻²⁰ around [5, 10]; every number here is exact.
    // A second entry, at 1, sits far from the kink and is compared: a
    // check whose every entry is skipped would compare nothing and fail.
    let x = array![H2 / 2.0, 1.0];
    let tol = 1.0 / 1_048_576.0;
    let slack = 10.0 * tol;
    let check = |a: f64| try_check_gradient_with(steep_relu, &x, &array![a, 10.0], H2, tol);
    for inside in [10.0 + slack, 5.0 - slack, 7.0, 10.0, 5.0] {
        let report = check(inside).unwrap_or_else(|e| panic!("{inside}: {e}"));
        assert_eq!((report.checked, report.skipped_kinks), (1, 1), "{inside}");
        assert_eq!(report.max_relative_error, 0.0, "{inside}");
    }
    for outside in [10.0 + 2.0 * slack, 5.0 - 2.0 * slack, 0.0, 11.0] {
        let failure = check(outside).expect_err("a value outside the slopes passed");
        assert!(
            failure.message.contains("1 of 2 entries"),
            "{outside}: {failure}"
        );
    }
}

#[test]
fn a_relative_error_equal_to_the_tolerance_passes() {
    // f(x) = x at x = 1: the centred difference is exactly 1.
    let x = array![1.0];
    let f = |x: &Array1<f64>| x.sum();
    let a = 1.0 + 1e-6;
    let tol = relative_error(a, 1.0);
    let report = try_check_gradient_with(f, &x, &array![a], H2, tol).unwrap();
    assert_eq!(report.max_relative_error, tol);
    assert!(try_check_gradient_with(f, &x, &array![a], H2, tol * 0.99).is_err());
}

#[test]
fn the_absolute_floor_is_strict() {
    // A constant function: the centred difference is exactly 0.
    let x = array![0.5];
    let f = |_: &Array1<f64>| 3.0;
    let check = |a: f64| try_check_gradient_with(f, &x, &array![a], H2, TOLERANCE);
    assert_eq!(check(0.5 * ABSOLUTE_FLOOR).unwrap().checked, 1);
    assert!(check(ABSOLUTE_FLOOR).is_err());
    assert!(check(-ABSOLUTE_FLOOR).is_err());
}

#[test]
fn the_absolute_floor_measures_the_difference_not_the_sum() {
    // Gradient 5e-11 everywhere; analytic 6e-11 is 1e-11 away (inside the
    // floor) although 1/6 off in relative terms. Their sum, 1.1e-10,
    // would not be.
    let x = array![0.25];
    let f = |x: &Array1<f64>| 5e-11 * x.sum();
    let report = try_check_gradient_with(f, &x, &array![6e-11], H2, TOLERANCE).unwrap();
    assert_eq!(report.checked, 1);
    assert!(try_check_gradient_with(f, &x, &array![-6e-11], H2, TOLERANCE).is_err());
}

#[test]
fn a_failure_lists_the_five_worst_entries_and_counts_the_rest() {
    let f = |x: &Array1<f64>| x.sum();
    let wrong = |len: usize| {
        let x = Array1::from_elem(len, 0.5);
        let analytic = Array1::from_elem(len, 2.0);
        try_check_gradient_with(f, &x, &analytic, H2, TOLERANCE)
            .unwrap_err()
            .message
    };
    let five = wrong(5);
    assert_eq!(five.matches("\n  index").count(), 5, "{five}");
    assert!(!five.contains("more"), "{five}");
    let six = wrong(6);
    assert_eq!(six.matches("\n  index").count(), 5, "{six}");
    assert!(six.ends_with("… and 1 more"), "{six}");
}

#[test]
fn adding_zero_is_labelled_plus_zero() {
    let mut g = Graph::new();
    let x = g.input("x", 1.0);
    for (c, label) in [(0.0, "+0"), (-0.5, "-0.5"), (2.0, "+2")] {
        let y = g.add_const(x, c);
        assert_eq!(g.node(y).label, label, "the label of the node x + {c}");
    }
}
