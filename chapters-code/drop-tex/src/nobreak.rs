//! No line break between an inline formula and the punctuation that
//! touches it.
//!
//! A browser lays out a `<math>` as one box, and may break a line on either
//! side of a box, even where no space is: the comma or full stop after a
//! formula can start the next line on its own, ", the" — as it did 3 times
//! at 1280 px and 10 at 390 px. TeX never breaks there. [`glue`] wraps each
//! inline formula, with what touches it (the punctuation or letters that
//! follow with no space, an opening bracket just before it), in
//! `<span class="lg-nobreak">`, which `theme/local-gradients.css` sets
//! `white-space: nowrap`. The span adds no text, so the search index and
//! screen readers get what they got before.
//!
//! It runs on a chapter's Markdown, after mdbook-katex has put each formula
//! there as HTML, so it glues only characters that mean nothing to
//! Markdown: never `*`, `_`, `[`, `]`, a backslash or `<`, so that
//! emphasis, links and tags around a formula stay whole.

/// How mdbook-katex starts an inline formula (a display one has
/// `display="block"` after the namespace).
const INLINE: &str =
    "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\">";
const END: &str = "</math></span>";
const OPEN: &str = "<span class=\"lg-nobreak\">";
const CLOSE: &str = "</span>";

/// Characters that stay with the formula before them: punctuation, closing
/// brackets and quotes (a straight one becomes curly later, with mdBook's
/// smart punctuation), and the letters of a word that goes on without a
/// space ("\(n\)th", "\(x\)'s", "\(k\)-th").
fn follows(c: char) -> bool {
    c.is_alphanumeric() || ",.;:!?)’”'\"-".contains(c)
}

/// Characters that stay with the formula after them: an opening bracket or
/// quote right before it.
fn precedes(c: char) -> bool {
    "(“‘".contains(c)
}

/// `content` with every inline formula that touches punctuation or a word
/// wrapped, with them, in a no-break span; and how many it wrapped.
///
/// Panics if a formula is never closed: mdbook-katex always closes it.
pub fn glue(content: &str) -> (String, usize) {
    let mut out = String::with_capacity(content.len());
    let mut wrapped = 0;
    let mut rest = content;
    while let Some(start) = rest.find(INLINE) {
        let before = &rest[..start];
        let after = &rest[start..];
        let end = after.find(END).unwrap_or_else(|| {
            panic!("mdbook-drop-tex: a formula is never closed: {after:.60}")
        }) + END.len();
        let (formula, tail) = after.split_at(end);
        let lead = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| precedes(c))
            .last()
            .map_or(before.len(), |(i, _)| i);
        let trail = tail.find(|c: char| !follows(c)).unwrap_or(tail.len());
        if lead == before.len() && trail == 0 {
            out.push_str(before);
            out.push_str(formula);
        } else {
            out.push_str(&before[..lead]);
            out.push_str(OPEN);
            out.push_str(&before[lead..]);
            out.push_str(formula);
            out.push_str(&tail[..trail]);
            out.push_str(CLOSE);
            wrapped += 1;
        }
        rest = &tail[trail..];
    }
    out.push_str(rest);
    (out, wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An inline formula as mdbook-katex writes it (TeX already dropped).
    fn f(body: &str) -> String {
        format!("{INLINE}<mi>{body}</mi>{END}")
    }

    fn wrapped(inside: &str) -> String {
        format!("{OPEN}{inside}{CLOSE}")
    }

    #[test]
    fn punctuation_stays_with_its_formula() {
        // "the bias \(b\), and \(y\)." and "(at \(x = 2\))."
        let page =
            format!("the bias {}, and {}.\n(at {}).", f("b"), f("y"), f("x"));
        let (out, n) = glue(&page);
        assert_eq!(
            out,
            format!(
                "the bias {} and {}\n(at {}",
                wrapped(&format!("{},", f("b"))),
                wrapped(&format!("{}.", f("y"))),
                wrapped(&format!("{}).", f("x")))
            )
        );
        assert_eq!(n, 3);
    }

    #[test]
    fn a_word_that_goes_on_and_an_opening_bracket_stay_too() {
        // "the \(n\)th entry", "(\(k\)-th)" and "“\(x\)’s”".
        let (out, n) = glue(&format!(
            "the {}th entry ({}-th) “{}’s”",
            f("n"),
            f("k"),
            f("x")
        ));
        assert_eq!(
            out,
            format!(
                "the {} entry {} {}",
                wrapped(&format!("{}th", f("n"))),
                wrapped(&format!("({}-th)", f("k"))),
                wrapped(&format!("“{}’s”", f("x")))
            )
        );
        assert_eq!(n, 3);
    }

    #[test]
    fn a_formula_between_spaces_is_left_alone() {
        let page = format!("so {} is the output\n{}\nand more", f("y"), f("x"));
        assert_eq!(glue(&page), (page.clone(), 0));
    }

    #[test]
    fn markdown_around_a_formula_stays_whole() {
        // "*\(x\)*,", "[\(x\)](#a)." and "\(x\)<sup>2</sup>": emphasis, a
        // link and a tag are not glued, nor is anything past them.
        for page in [
            format!("*{}*, then", f("x")),
            format!("[{}](#a). then", f("x")),
            format!("a {}<sup>2</sup>", f("x")),
            format!("_{}_.", f("x")),
            format!("a {}\\. b", f("x")),
        ] {
            assert_eq!(glue(&page), (page.clone(), 0), "{page}");
        }
    }

    #[test]
    fn display_formulas_are_left_alone() {
        // A display formula is a block of its own, never inside a line.
        let page = "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><mi>x</mi></math></span>.";
        assert_eq!(glue(page), (page.to_string(), 0));
    }

    #[test]
    fn two_formulas_joined_by_punctuation_are_two_spans() {
        // "\(a\),\(b\)": each formula keeps what follows it.
        let (out, n) = glue(&format!("{},{}.", f("a"), f("b")));
        assert_eq!(
            out,
            format!(
                "{}{}",
                wrapped(&format!("{},", f("a"))),
                wrapped(&format!("{}.", f("b")))
            )
        );
        assert_eq!(n, 2);
    }

    #[test]
    #[should_panic(expected = "a formula is never closed")]
    fn refuses_an_unclosed_formula() {
        glue(&format!("{INLINE}<mi>x</mi>, then"));
    }
}
