//! The shared layer check at the edges of its rules: what its report
//! says, how it scales the Jacobian comparison, and where its tolerance
//! sits exactly.

use backprop::gradcheck;
use backprop::layer_check::{
    check_layer, check_layer_with_step, try_check_layer, DY_SEED, JACOBIAN_TOLERANCE,
};
use ndarray::{ArrayD, IxDyn};

#[test]
fn the_report_gives_the_largest_error_over_every_gradient() {
    // y = a ⊙ b: the centred differences carry rounding error, so every
    // gradient's error is small but not zero.
    let a: ArrayD<f64> = gradcheck::random(IxDyn(&[3, 2]), 1);
    let b: ArrayD<f64> = gradcheck::random(IxDyn(&[3, 2]), 2);
    let report = check_layer(
        "product",
        &[("a", a), ("b", b)],
        |v| &v[0] * &v[1],
        |v, dy| vec![dy * &v[1], dy * &v[0]],
    );
    let errors: Vec<f64> = report
        .gradients
        .iter()
        .map(|(_, r)| r.max_relative_error)
        .collect();
    assert!(errors.iter().all(|&e| e > 0.0), "{errors:?}");
    assert_eq!(
        report.max_relative_error(),
        errors.iter().copied().fold(0.0, f64::max)
    );
}

#[test]
fn large_jacobian_entries_are_compared_relative_to_their_size() {
    // y = 10⁶ x²: Jacobian entries near 10⁶, whose centred differences are
    // off by about 10⁻⁵ in absolute terms from rounding alone. Relative to
    // their size that is 10⁻¹¹, and the correct backward passes.
    let x: ArrayD<f64> = gradcheck::random(IxDyn(&[4]), 3).mapv(|v| v + 2.0);
    let report = check_layer(
        "steep square",
        &[("x", x)],
        |v| v[0].mapv(|t| 1e6 * t * t),
        |v, dy| vec![dy * &v[0].mapv(|t| 2e6 * t)],
    );
    assert_eq!(report.jacobians_compared, 1);
}

#[test]
fn a_jacobian_entry_off_by_exactly_the_tolerance_passes() {
    // The identity at x = 0: the numerical Jacobian is exactly I. The
    // backward below is exact for the check's own dy, but for every other
    // upstream gradient adds `c · dy[0]` to dx[1], so the Jacobian read off
    // it has entry (0, 1) = c where the true one is 0.
    let x = ArrayD::zeros(IxDyn(&[2]));
    let seen_dy: ArrayD<f64> = gradcheck::random(IxDyn(&[2]), DY_SEED);
    let with_cross = |c: f64| {
        let seen_dy = seen_dy.clone();
        move |_: &[ArrayD<f64>], dy: &ArrayD<f64>| {
            let mut dx = dy.clone();
            if *dy != seen_dy {
                dx[[1]] += c * dy[[0]];
            }
            vec![dx]
        }
    };
    let identity = |v: &[ArrayD<f64>]| v[0].clone();
    let check = |c: f64| try_check_layer("identity", &[("x", x.clone())], identity, with_cross(c));
    assert_eq!(check(JACOBIAN_TOLERANCE).unwrap().jacobians_compared, 1);
    let failure = check(2.0 * JACOBIAN_TOLERANCE).unwrap_err();
    assert!(
        failure.message.contains("entry (0, 1) of the 2x2 Jacobian"),
        "{failure}"
    );
    assert!(
        x.iter().all(|&v| v == 0.0),
        "the layer check changed its input x to {x}"
    );
}

/// `y = x / |x|`, a layer that normalises its whole input; it bends on
/// the scale of `|x|`.
fn normalise(v: &[ArrayD<f64>]) -> ArrayD<f64> {
    let norm = v[0].mapv(|t| t * t).sum().sqrt();
    &v[0] / norm
}

/// `dx = (dy - y (y · dy)) / |x|`, the correct backward pass.
fn normalise_backward(v: &[ArrayD<f64>], dy: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let norm = v[0].mapv(|t| t * t).sum().sqrt();
    let y = &v[0] / norm;
    let along = (&y * dy).sum();
    vec![(dy - &(&y * along)) / norm]
}

#[test]
fn a_layer_checked_on_tiny_inputs_compares_nothing_and_fails() {
    // A correct layer on an input of norm about 1e-3
    // at the default step. Every entry's one-sided slopes disagree (the
    // curve bends on the scale of |x|, a hundred steps), so every entry
    // was skipped as a kink, and the check used to return success with
    // `checked 0, skipped_kinks 6, max_relative_error 0`.
    let x: ArrayD<f64> = gradcheck::random(IxDyn(&[2, 3]), 1) * 1e-3;
    let norm = x.mapv(|t| t * t).sum().sqrt();
    assert!((5e-4..2e-3).contains(&norm), "{norm}");
    let dy: ArrayD<f64> = gradcheck::random(IxDyn(&[2, 3]), DY_SEED);
    let analytic = normalise_backward(std::slice::from_ref(&x), &dy).remove(0);
    let loss = |v: &ArrayD<f64>| (normalise(std::slice::from_ref(v)) * &dy).sum();

    // The gradient check alone now fails, and says why and what to try.
    let failure = gradcheck::try_check_gradient(loss, &x, &analytic)
        .expect_err("a check that compared nothing passed");
    assert_eq!((failure.checked, failure.skipped_kinks), (0, 6));
    let first = failure.message.lines().next().unwrap();
    assert_eq!(
        first,
        "gradient check compared nothing: all 6 entries of x were skipped as kinks \
         (h = 1e-5), so no entry of the gradient was checked. Each sits within h of a corner, \
         or on a curve that bends sharply on the scale of h: try a smaller step, or inputs \
         away from the corners. Skipped:"
    );
    assert_eq!(failure.message.lines().count(), 1 + 5 + 1, "{failure}");
    assert!(failure.message.ends_with("\n  … and 1 more"), "{failure}");

    // So does the layer check, before it gets to the Jacobians, naming
    // the layer, the gradient and the input.
    let inputs = [("x", x.clone())];
    let failure = try_check_layer("normalise", &inputs, normalise, normalise_backward)
        .expect_err("a layer check that compared nothing passed");
    assert_eq!(failure.gradient, "dx");
    assert!(
        failure.message.starts_with(
            "normalise: dx failed the gradient check: gradient check compared nothing: \
             all 6 entries of x were skipped as kinks (h = 1e-5)"
        ),
        "{failure}"
    );
    assert!(
        failure
            .message
            .contains("\n  input x has shape [2, 3]; checked from"),
        "{failure}"
    );

    // The cure the message names: a step a hundred times smaller compares
    // every entry, and the Jacobians agree.
    let report = check_layer_with_step("normalise", &inputs, 1e-7, normalise, normalise_backward);
    assert_eq!(report.gradients[0].1.checked, 6);
    assert_eq!(report.gradients[0].1.skipped_kinks, 0);
    assert_eq!(report.jacobians_compared, 1);
}
