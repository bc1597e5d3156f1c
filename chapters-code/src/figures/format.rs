//! How the figures write numbers: two decimals or as short as possible,
//! never a negative zero, and a true minus sign (U+2212, `−`) instead of a
//! hyphen, as in typeset text.

/// The minus sign the figures print in front of negative numbers.
pub const MINUS: char = '\u{2212}';

/// Replaces the hyphen-minus of a formatted number by [`MINUS`].
pub(crate) fn typeset(s: &str) -> String {
    s.replace('-', &MINUS.to_string())
}

/// The number as Rust formats it with two decimals (`-0.20`), never `-0.00`.
fn fixed2_ascii(v: f64) -> String {
    let s = format!("{v:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// A number with exactly two decimals (`0.73`, `−0.20`, `2.00`), never `−0.00`.
pub fn fixed2(v: f64) -> String {
    typeset(&fixed2_ascii(v))
}

/// A number with at most two decimals and no trailing zeros (`0.5`, `−1`,
/// `1.25`), never `−0`.
pub fn short(v: f64) -> String {
    let s = fixed2_ascii(v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        typeset(s)
    }
}

/// A second factor of a product: negative numbers in parentheses, `(−1)`.
pub(crate) fn factor(v: f64) -> String {
    if v < 0.0 {
        format!("({})", short(v))
    } else {
        short(v)
    }
}

/// A vector as `[0.5, −1]`.
pub(crate) fn short_vec<'a>(v: impl IntoIterator<Item = &'a f64>) -> String {
    let parts: Vec<String> = v.into_iter().map(|&x| short(x)).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_with_a_true_minus_and_without_negative_zero() {
        assert_eq!(fixed2(0.7310585786300049), "0.73");
        assert_eq!(fixed2(-0.5898), "−0.59");
        assert_eq!(fixed2(-0.001), "0.00");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(-1.0), "−1");
        assert_eq!(short(1.25), "1.25");
        assert_eq!(factor(-1.0), "(−1)");
        assert_eq!(short_vec(&[1.5, -0.25]), "[1.5, −0.25]");
        assert_eq!(typeset("-x"), "−x");
        assert_eq!(short(-0.7), "\u{2212}0.7");
    }
}
