//! `mdbook-drop-tex`: the book's own mdBook preprocessor, run after
//! mdbook-katex (see `book.toml`).
//!
//! mdbook-katex renders every formula as MathML and keeps its TeX source
//! inside it, as `<annotation encoding="application/x-tex">…</annotation>`.
//! Browsers do not show the annotation and screen readers read the MathML,
//! but mdBook's search indexes every text node of a page, so each formula
//! would put its TeX (`\frac{\partial`, `\mathbb{R}^{n`, …) into the search
//! index and into the search results' teasers. This preprocessor removes
//! the annotation, and the `<semantics>` wrapper it needs, from every
//! chapter.
//!
//! It then repairs how the browser sets a few things in that MathML, so
//! that primes, operator names, signs, `+=`, norm bars, brackets, aligned
//! equations, matrices, subscripts, negative spaces, italic capitals,
//! ellipses, scripts and roots are set as TeX sets them: see [`typeset`] and
//! [`table`]. Formulas those rules do not touch are left exactly as KaTeX
//! wrote them. Last, it keeps each inline formula on one line with the
//! punctuation that follows it: see [`nobreak`]. Inline code spans get the
//! same care: a long path breaks only after `/`, `::` or `.`, never inside a
//! name: see [`code`].
//!
//! The protocol is mdBook's: `mdbook-drop-tex supports RENDERER` exits 0;
//! otherwise it reads `[context, book]` as JSON on standard input and
//! writes the book back on standard output.

mod code;
mod mathml;
mod nobreak;
mod table;
mod typeset;

use serde_json::Value;
use std::io::{self, Read, Write};
use std::process::ExitCode;

const OPEN: &str = "<annotation encoding=\"application/x-tex\">";
const CLOSE: &str = "</annotation>";

/// `html` with every TeX annotation removed, and every
/// `<semantics>X</semantics>` left with nothing but `X` unwrapped to `X`.
///
/// Panics if an annotation is opened and never closed: mdbook-katex always
/// closes it, so that would mean its output changed.
pub fn drop_tex(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find(CLOSE).unwrap_or_else(|| {
            panic!(
                "mdbook-drop-tex: an annotation is never closed: {after:.60}"
            )
        });
        rest = &after[end + CLOSE.len()..];
    }
    out.push_str(rest);
    // Without its annotation a <semantics> holds one child and says nothing.
    out.replace("<semantics>", "").replace("</semantics>", "")
}

/// Applies [`drop_tex`], [`typeset::typeset`] and [`nobreak::glue`], in
/// that order, to the content of every chapter in mdBook's JSON form of the
/// book, at any depth.
fn visit(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("sub_items") {
                if let Some(Value::String(content)) = map.get_mut("content") {
                    *content = code::spans(
                        &nobreak::glue(&typeset::typeset(&drop_tex(content)).0)
                            .0,
                    );
                }
            }
            map.values_mut().for_each(visit);
        }
        Value::Array(items) => items.iter_mut().for_each(visit),
        _ => {}
    }
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("supports") {
        return ExitCode::SUCCESS; // Only HTML carries annotations; others are unaffected.
    }
    let mut input = String::new();
    if let Err(e) = io::stdin().read_to_string(&mut input) {
        eprintln!(
            "mdbook-drop-tex: cannot read the book from standard input: {e}"
        );
        return ExitCode::FAILURE;
    }
    let mut pair: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("mdbook-drop-tex: standard input is not mdBook's [context, book] JSON: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(book) = pair.get_mut(1) else {
        eprintln!(
            "mdbook-drop-tex: expected [context, book] on standard input"
        );
        return ExitCode::FAILURE;
    };
    visit(book);
    let mut stdout = io::stdout().lock();
    if serde_json::to_writer(&mut stdout, book)
        .map_err(io::Error::from)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("mdbook-drop-tex: cannot write the book to standard output");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    // What mdbook-katex 0.10 writes for \(x^2\) with output = "mathml".
    const X_SQUARED: &str = "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><semantics><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow><annotation encoding=\"application/x-tex\">x^2</annotation></semantics></math></span>";

    #[test]
    fn drops_the_tex_and_keeps_the_mathml() {
        let page = format!("Square it: {X_SQUARED}, twice: {X_SQUARED}.");
        let one = "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math></span>";
        assert_eq!(drop_tex(&page), format!("Square it: {one}, twice: {one}."));
    }

    #[test]
    fn leaves_a_page_without_math_alone() {
        let page = "No math here, only `code` and <em>words</em>.";
        assert_eq!(drop_tex(page), page);
    }

    #[test]
    #[should_panic(expected = "an annotation is never closed")]
    fn refuses_an_unclosed_annotation() {
        drop_tex("<annotation encoding=\"application/x-tex\">x^2");
    }

    #[test]
    fn drops_the_tex_then_sets_the_prime_then_keeps_the_full_stop() {
        // What mdbook-katex 0.10 writes for \(i'\) (affine weights).
        let mut book = serde_json::json!({"items": [{"Chapter": {"name": "c", "sub_items": [],
            "content": "Row <span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><semantics><mrow><msup><mi>i</mi><mo mathvariant=\"normal\" lspace=\"0em\" rspace=\"0em\">′</mo></msup></mrow><annotation encoding=\"application/x-tex\">i&#x27;</annotation></semantics></math></span>."}}]});
        visit(&mut book);
        assert_eq!(
            book["items"][0]["Chapter"]["content"],
            "Row <span class=\"lg-nobreak\"><span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mrow><mrow><mi>i</mi><mo lspace=\"0em\" rspace=\"0em\">′</mo></mrow></mrow></math></span>.</span>"
        );
    }

    #[test]
    fn visits_chapters_at_every_depth() {
        let chapter = |content: &str, sub: Value| serde_json::json!({"Chapter": {"name": "c", "content": content, "sub_items": sub}});
        let inner = chapter(X_SQUARED, serde_json::json!([]));
        let mut book = serde_json::json!({"items": [chapter(X_SQUARED, serde_json::json!([inner])), "Separator"]});
        visit(&mut book);
        let text = book.to_string();
        assert!(!text.contains("annotation"), "{text}");
        assert_eq!(text.matches("<msup>").count(), 2, "{text}");
    }
}
