//! Shape checks shared by every layer.
//!
//! Each public function of the crate checks the shapes of its arguments on
//! entry and panics with a message that names both shapes and the
//! convention that relates them, so a reader who passes `X` transposed is
//! told exactly what went wrong.

/// The convention that every shape message ends with.
pub const CONVENTION: &str =
    "convention: columns are samples, X is (d, n), W is (m, d), b has length m, Y = WX + b is (m, n)";

/// Panics unless `ok`, with a message of the form
/// `"{context}: {a_name} has shape {a_shape:?} but {b_name} has shape {b_shape:?}; {rule} ({CONVENTION})"`.
///
/// Shapes are given as slices (`array.shape()`), so this works for arrays
/// of any dimension.
#[track_caller]
pub fn require(
    ok: bool,
    context: &str,
    (a_name, a_shape): (&str, &[usize]),
    (b_name, b_shape): (&str, &[usize]),
    rule: &str,
) {
    if !ok {
        panic!(
            "{context}: {a_name} has shape {a_shape:?} but {b_name} has shape {b_shape:?}; {rule} ({CONVENTION})"
        );
    }
}

/// Panics unless the two arrays have the same shape: the check every
/// backward function makes between its cached input and the upstream
/// gradient.
#[track_caller]
pub fn require_same(context: &str, a: (&str, &[usize]), b: (&str, &[usize])) {
    require(
        a.1 == b.1,
        context,
        a,
        b,
        &format!("{} and {} must have the same shape", a.0, b.0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_shapes_pass() {
        require_same("t", ("x", &[2, 3]), ("dy", &[2, 3]));
    }

    #[test]
    fn mismatch_names_both_shapes_and_the_convention() {
        let err = std::panic::catch_unwind(|| {
            require_same("relu::backward", ("x", &[2, 3]), ("dy", &[3, 2]));
        })
        .unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.contains("relu::backward"), "{msg}");
        assert!(msg.contains("x has shape [2, 3]"), "{msg}");
        assert!(msg.contains("dy has shape [3, 2]"), "{msg}");
        assert!(msg.contains("columns are samples"), "{msg}");
    }
}
