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
//! [`check_all`] returns the mismatch as an `Err(Error)`, for `try_`
//! functions and listings; [`require_all`] panics with the same message.
//!
//! [`Error`] is the crate's one error type for bad input: shapes that do
//! not fit, labels out of range, settings such as a zero stride. Every
//! `try_` function of the crate returns it, and it is re-exported as
//! `backprop::Error`.
//!
//! A module with a convention of its own makes a [`Checker`] of it once,
//! `const SHAPES: Checker = Checker::new(CONVENTION);`, and raises every
//! message through it, so the convention is attached in one place.

/// The crate-wide convention, appended by [`require`] and [`require_same`].
/// Modules with a convention of their own raise their messages through a
/// [`Checker`] of it instead.
pub const CONVENTION: &str =
    "convention: columns are samples, and a gradient has the shape of the array it differentiates";

/// Bad input (shapes that do not fit, a label out of range, a setting such
/// as a zero stride): the whole message, as the panicking forms print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// `"{context}: … has shape … but … has shape …; {rule} ({convention})"`,
    /// or for a bad value, `"{context}: {what is wrong} ({convention})"`.
    pub message: String,
}

impl Error {
    /// A bad value (not a pair of shapes): `"{context}: {detail} ({convention})"`.
    pub fn value(context: &str, detail: &str, convention: &str) -> Self {
        Error {
            message: format!("{context}: {detail} ({convention})"),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `Ok(())` if `ok`, else an [`Error`] naming every `(name, shape)` in
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
) -> Result<(), Error> {
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
    Err(Error {
        message: format!("{context}: {listed}; {rule} ({convention})"),
    })
}

/// [`check_all`] for two arrays that must have the same shape.
pub fn check_same(
    context: &str,
    a: (&str, &[usize]),
    b: (&str, &[usize]),
    convention: &str,
) -> Result<(), Error> {
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
pub fn require(
    ok: bool,
    context: &str,
    a: (&str, &[usize]),
    b: (&str, &[usize]),
    rule: &str,
) {
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

/// A module's shape checks, with its convention attached: every message a
/// checker raises ends with `({convention})`. A module makes one, once:
/// `const SHAPES: Checker = Checker::new(CONVENTION);`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checker {
    /// The convention appended to every message.
    pub convention: &'static str,
}

impl Checker {
    /// A checker that ends its messages with `convention`.
    pub const fn new(convention: &'static str) -> Self {
        Checker { convention }
    }

    /// [`check_all`] for two shapes, `a` and `b`, with this convention.
    pub fn check(
        &self,
        ok: bool,
        context: &str,
        a: (&str, &[usize]),
        b: (&str, &[usize]),
        rule: &str,
    ) -> Result<(), Error> {
        check_all(ok, context, &[a, b], rule, self.convention)
    }

    /// [`check_all`] with this convention.
    pub fn check_all(
        &self,
        ok: bool,
        context: &str,
        shapes: &[(&str, &[usize])],
        rule: &str,
    ) -> Result<(), Error> {
        check_all(ok, context, shapes, rule, self.convention)
    }

    /// [`check_same`] with this convention.
    pub fn check_same(
        &self,
        context: &str,
        a: (&str, &[usize]),
        b: (&str, &[usize]),
    ) -> Result<(), Error> {
        check_same(context, a, b, self.convention)
    }

    /// [`Checker::check`] that panics with the message instead.
    #[track_caller]
    pub fn require(
        &self,
        ok: bool,
        context: &str,
        a: (&str, &[usize]),
        b: (&str, &[usize]),
        rule: &str,
    ) {
        self.check(ok, context, a, b, rule)
            .unwrap_or_else(|e| e.raise());
    }

    /// [`Error::value`] with this convention: a bad value, such as a label
    /// out of range.
    pub fn value(&self, context: &str, detail: &str) -> Error {
        Error::value(context, detail, self.convention)
    }
}

impl Error {
    /// Panics with this error's message: how every panicking form of a
    /// `try_` function ends, `try_f(…).unwrap_or_else(|e| e.raise())`.
    #[track_caller]
    pub fn raise(self) -> ! {
        panic!("{}", self.message)
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

    #[test]
    fn a_checker_appends_its_convention_to_every_message() {
        const SHAPES: Checker = Checker::new("convention: mine");
        assert_eq!(
            SHAPES.check(true, "f", ("a", &[1]), ("b", &[2]), "r"),
            Ok(())
        );
        let err = SHAPES
            .check(
                false,
                "m::f",
                ("a", &[1]),
                ("b", &[2, 3]),
                "a and b must agree",
            )
            .unwrap_err();
        assert_eq!(
            err.message,
            "m::f: a has shape [1] but b has shape [2, 3]; a and b must agree (convention: mine)"
        );
        let err = SHAPES
            .check_all(false, "m::f", &[("a", &[1])], "r")
            .unwrap_err();
        assert_eq!(err.message, "m::f: a has shape [1]; r (convention: mine)");
        let err = SHAPES
            .check_same("m::g", ("x", &[2]), ("dy", &[3]))
            .unwrap_err();
        assert_eq!(
            err.message,
            "m::g: x has shape [2] but dy has shape [3]; x and dy must have the same shape \
             (convention: mine)"
        );
        let msg = panic_message(|| {
            SHAPES.require(false, "m::h", ("a", &[1]), ("b", &[]), "r")
        });
        assert_eq!(
            msg,
            "m::h: a has shape [1] but b has shape []; r (convention: mine)"
        );
        assert_eq!(
            SHAPES.value("m::k", "label 3 is out of range").message,
            "m::k: label 3 is out of range (convention: mine)"
        );
    }
}
