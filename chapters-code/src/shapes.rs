//! Shape checks shared by every module.
//!
//! Each public function of the crate checks the shapes of its arguments on
//! entry. A mismatch is reported with a message of the form
//!
//! ```text
//! {context}: a has shape [..] but b has shape [..]; {rule} ({convention})
//! ```
//!
//! that names every shape involved (two or more) and ends with the
//! convention of the module that raised it: the affine layer appends its
//! `Y = WX + b` convention, [`crate::jacobian`] its stacking order, and so
//! on. So a reader who passes `X` transposed is told exactly what went
//! wrong, in the terms of the chapter they are reading.
//!
//! [`check_all`] returns the mismatch as an `Err(ShapeError)`, for `try_`
//! functions and listings; [`require_all`] panics with the same message.

/// The crate-wide convention, appended by [`require`] and [`require_same`].
/// Modules with a convention of their own use [`require_all`] instead.
pub const CONVENTION: &str =
    "convention: columns are samples, and a gradient has the shape of the array it differentiates";

/// A shape mismatch: the whole message, as the panicking checks print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// `"{context}: … has shape … but … has shape …; {rule} ({convention})"`.
    pub message: String,
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShapeError {}

/// `Ok(())` if `ok`, else a [`ShapeError`] naming every `(name, shape)` in
/// `shapes` (two or more), the rule that relates them and the convention.
///
/// Two shapes read "a has shape A but b has shape B"; more read "a has
/// shape A, b has shape B and c has shape C".
pub fn check_all(
    ok: bool,
    context: &str,
    shapes: &[(&str, &[usize])],
    rule: &str,
    convention: &str,
) -> Result<(), ShapeError> {
    if ok {
        return Ok(());
    }
    let named: Vec<String> = shapes
        .iter()
        .map(|(name, shape)| format!("{name} has shape {shape:?}"))
        .collect();
    let listed = match named.as_slice() {
        [] => String::from("no shapes given"),
        [one] => one.clone(),
        [a, b] => format!("{a} but {b}"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    Err(ShapeError {
        message: format!("{context}: {listed}; {rule} ({convention})"),
    })
}

/// [`check_all`] for two arrays that must have the same shape.
pub fn check_same(
    context: &str,
    a: (&str, &[usize]),
    b: (&str, &[usize]),
    convention: &str,
) -> Result<(), ShapeError> {
    // The rule is formatted only for a message: a check that passes
    // allocates nothing (tests/allocations.rs).
    if a.1 == b.1 {
        return Ok(());
    }
    check_all(
        false,
        context,
        &[a, b],
        &format!("{} and {} must have the same shape", a.0, b.0),
        convention,
    )
}

/// Panics with [`check_all`]'s message unless `ok`.
#[track_caller]
pub fn require_all(
    ok: bool,
    context: &str,
    shapes: &[(&str, &[usize])],
    rule: &str,
    convention: &str,
) {
    if let Err(e) = check_all(ok, context, shapes, rule, convention) {
        panic!("{e}");
    }
}

/// Panics unless `ok`, with a message of the form
/// `"{context}: {a_name} has shape {a_shape:?} but {b_name} has shape {b_shape:?}; {rule} ({CONVENTION})"`.
///
/// Shapes are given as slices (`array.shape()`), so this works for arrays
/// of any dimension.
#[track_caller]
pub fn require(ok: bool, context: &str, a: (&str, &[usize]), b: (&str, &[usize]), rule: &str) {
    require_all(ok, context, &[a, b], rule, CONVENTION);
}

/// Panics unless the two arrays have the same shape: the check every
/// backward function makes between its cached input and the upstream
/// gradient. Ends with the crate-wide [`CONVENTION`].
#[track_caller]
pub fn require_same(context: &str, a: (&str, &[usize]), b: (&str, &[usize])) {
    if let Err(e) = check_same(context, a, b, CONVENTION) {
        panic!("{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::panic_message;

    #[test]
    fn same_shapes_pass() {
        require_same("t", ("x", &[2, 3]), ("dy", &[2, 3]));
        assert_eq!(check_same("t", ("x", &[1]), ("dy", &[1]), "c"), Ok(()));
    }

    #[test]
    fn mismatch_names_both_shapes_and_the_convention() {
        let msg = panic_message(|| {
            require_same("relu::backward", ("x", &[2, 3]), ("dy", &[3, 2]));
        });
        assert_eq!(
            msg,
            format!(
                "relu::backward: x has shape [2, 3] but dy has shape [3, 2]; \
                 x and dy must have the same shape ({CONVENTION})"
            )
        );
    }

    #[test]
    fn three_shapes_are_listed_and_the_callers_convention_is_appended() {
        let err = check_all(
            false,
            "layer::forward",
            &[("a", &[1]), ("b", &[2, 2]), ("c", &[3])],
            "they must agree",
            "convention: mine",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "layer::forward: a has shape [1], b has shape [2, 2] and c has shape [3]; \
             they must agree (convention: mine)"
        );
        let msg = panic_message(|| {
            require_all(false, "f", &[("a", &[1])], "r", "convention: c");
        });
        assert_eq!(msg, "f: a has shape [1]; r (convention: c)");
    }
}
