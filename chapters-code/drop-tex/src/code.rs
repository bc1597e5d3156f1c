//! Inline code that breaks only where a reader expects it to.
//!
//! A browser breaks inline code after any hyphen (`chapters-|code/`,
//! `target-|cpu=native`), at any space (`torch.flatten(x, | 1)`), and,
//! when a word does not fit the line, anywhere inside it (mdBook sets
//! `overflow-wrap: break-word`: `try_f|orward`). [`spans`] rewrites each
//! `` `code` `` span of a chapter's Markdown as HTML in which the text
//! between two allowed breaks sits in a `<span class="lg-nowrap">`
//! (`white-space: nowrap` in `theme/local-gradients.css`), with a `<wbr>`
//! after each `/`, `::` and `.` that ends a part. A span of at most
//! [`SHORT`] characters never breaks; one longer than [`LONG`] may also
//! break at its spaces. The text itself is unchanged, so copying it, the
//! search index and screen readers get what they got before.
//!
//! The span is marked `nohighlight`, so that mdBook's highlight.js leaves
//! its markup alone (it still adds the `hljs` class that styles it), and
//! every ASCII punctuation character is written as a character reference,
//! so that Markdown (emphasis, smart quotes, `--`, `...`) cannot touch it.
//! Fenced code blocks and headings (whose anchors come from their text) are
//! left as they are.

/// A code span of at most this many characters never breaks.
pub const SHORT: usize = 20;
/// A code span longer than this may also break at its spaces.
pub const LONG: usize = 40;

/// `content` (a chapter's Markdown) with every inline code span outside
/// fenced blocks and headings written as HTML that breaks only after `/`,
/// `::` or `.` (and at spaces in a long span).
pub fn spans(content: &str) -> String {
    let mut out = String::with_capacity(content.len() + content.len() / 4);
    let mut fence: Option<(char, usize)> = None;
    let mut paragraph = String::new();
    for line in content.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ['`', '~'].into_iter().find_map(|c| {
            let n = trimmed.chars().take_while(|&x| x == c).count();
            (n >= 3).then_some((c, n))
        });
        let closes = |open: (char, usize)| {
            marker.is_some_and(|(c, n)| c == open.0 && n >= open.1)
                && trimmed.trim_start_matches(open.0).trim().is_empty()
        };
        match fence {
            Some(open) => {
                out.push_str(line);
                if closes(open) {
                    fence = None;
                }
            }
            None if marker.is_some()
                || trimmed.starts_with('#')
                || trimmed.is_empty() =>
            {
                out.push_str(&paragraph_spans(&paragraph));
                paragraph.clear();
                out.push_str(line);
                fence = marker;
            }
            None => paragraph.push_str(line),
        }
    }
    out.push_str(&paragraph_spans(&paragraph));
    out
}

/// One paragraph (no blank line, no fence) with its code spans rewritten.
fn paragraph_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['`', '\\']) {
        out.push_str(&rest[..i]);
        let at = &rest[i..];
        if let Some(escaped) = at.strip_prefix('\\') {
            // A backslash escapes what follows it, a backtick included.
            let n = escaped.chars().next().map_or(0, char::len_utf8);
            out.push_str(&at[..1 + n]);
            rest = &at[1 + n..];
            continue;
        }
        let ticks = at.len() - at.trim_start_matches('`').len();
        let body = &at[ticks..];
        match closing(body, ticks) {
            Some(end) => {
                let table_row = out
                    .rsplit('\n')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('|');
                out.push_str(&code_html(&code_text(&body[..end], table_row)));
                rest = &body[end + ticks..];
            }
            None => {
                out.push_str(&at[..ticks]);
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the first run of exactly `ticks` backticks in `body` starts.
fn closing(body: &str, ticks: usize) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = body[from..].find('`') {
        let start = from + i;
        let run =
            body[start..].len() - body[start..].trim_start_matches('`').len();
        if run == ticks {
            return Some(start);
        }
        from = start + run;
    }
    None
}

/// The text a code span shows, as CommonMark reads it: line ends (with the
/// next line's indentation) become one space, one space is stripped from
/// each end if both ends have one, and in a table row `\|` is `|`.
fn code_text(raw: &str, table_row: bool) -> String {
    let mut text = String::with_capacity(raw.len());
    for (i, line) in raw.split('\n').enumerate() {
        if i > 0 {
            text.push(' ');
            text.push_str(line.trim_start());
        } else {
            text.push_str(line);
        }
    }
    if text.len() >= 2
        && text.starts_with(' ')
        && text.ends_with(' ')
        && !text.trim().is_empty()
    {
        text = text[1..text.len() - 1].to_string();
    }
    if table_row {
        text = text.replace("\\|", "|");
    }
    text
}

/// The parts of `text` between the places it may break, each with what
/// follows it (`""`, `"<wbr>"` or `" "`).
fn parts(text: &str) -> Vec<(&str, &'static str)> {
    let count = text.chars().count();
    if count <= SHORT {
        return vec![(text, "")];
    }
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        let next = bytes.get(i + 1).copied();
        let after_separator = match bytes[i] {
            b'/' => i > start,
            // Not before a file's extension (`numpy.py` stays whole), nor
            // after a one- or two-letter name (`b.view()`).
            b'.' => {
                i >= start + 3
                    && (word(bytes[i - 1]) || bytes[i - 1] == b')')
                    && bytes.len() - i > 5
            }
            b':' => i > start && i > 0 && bytes[i - 1] == b':',
            _ => false,
        };
        if after_separator
            && next.is_some_and(|n| word(n) || n == b'<' || n == b'.')
        {
            parts.push((&text[start..=i], "<wbr>"));
            start = i + 1;
        } else if bytes[i] == b' ' && count > LONG && i > start {
            parts.push((&text[start..i], " "));
            start = i + 1;
        }
    }
    parts.push((&text[start..], ""));
    parts
}

/// `text` with every ASCII punctuation character written as a character
/// reference, so that Markdown reads none of it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push_str(&format!("&#{};", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The HTML for a code span showing `text`.
fn code_html(text: &str) -> String {
    let parts = parts(text);
    if let [(one, _)] = parts[..] {
        return format!(
            "<code class=\"nohighlight lg-nowrap\">{}</code>",
            escape(one)
        );
    }
    let inner: String = parts
        .iter()
        .map(|(p, after)| {
            format!("<span class=\"lg-nowrap\">{}</span>{after}", escape(p))
        })
        .collect();
    format!("<code class=\"nohighlight\">{inner}</code>")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the browser shows of `html`: the tags dropped, the references
    /// read back.
    fn shown(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            rest = &rest[rest[i..].find('>').unwrap() + i + 1..];
        }
        out.push_str(rest);
        let mut text = String::new();
        let mut rest = out.as_str();
        while let Some(i) = rest.find("&#") {
            text.push_str(&rest[..i]);
            let end = rest[i..].find(';').unwrap() + i;
            let n: u32 = rest[i + 2..end].parse().unwrap();
            text.push(char::from_u32(n).unwrap());
            rest = &rest[end + 1..];
        }
        text.push_str(rest);
        text
    }

    #[test]
    fn a_short_span_never_breaks() {
        let html = spans("Call `torch.flatten(x, 1)` and `-(r + r) + 1`.");
        assert_eq!(
            html,
            "Call <code class=\"nohighlight lg-nowrap\">torch&#46;flatten&#40;x&#44; 1&#41;</code> and <code class=\"nohighlight lg-nowrap\">&#45;&#40;r &#43; r&#41; &#43; 1</code>."
        );
    }

    #[test]
    fn a_path_breaks_after_its_slashes_and_never_at_a_hyphen() {
        let html = spans("See `chapters-code/benches/digits-vs-numpy.py`, `backprop::pool::try_forward` and `b.view().insert_axis(Axis(1))`.\n");
        assert_eq!(
            html.matches("<wbr>").count(),
            5,
            "one break after each / and ::, one after `view().`, none at a hyphen, inside a name or after `b.`: {html}"
        );
        assert!(
            html.contains("<span class=\"lg-nowrap\">digits&#45;vs&#45;numpy&#46;py</span>"),
            "{html}"
        );
        assert_eq!(
            shown(&html),
            "See chapters-code/benches/digits-vs-numpy.py, backprop::pool::try_forward and b.view().insert_axis(Axis(1)).\n"
        );
    }

    #[test]
    fn a_long_span_breaks_at_its_spaces_but_keeps_a_short_name_whole() {
        let html = spans(
            "`let cols = im2col(&x, kh, kw).into_shape_with_order((a, b))`",
        );
        assert!(
            html.contains("<span class=\"lg-nowrap\">let</span> <span"),
            "{html}"
        );
        assert_eq!(
            shown(&html),
            "let cols = im2col(&x, kh, kw).into_shape_with_order((a, b))"
        );
    }

    #[test]
    fn a_span_may_run_over_a_line_end() {
        let html =
            spans("the test `gradcheck::tests::a_wrong_backward\n  _exposes_the_bug` fails\n");
        assert_eq!(
            shown(&html),
            "the test gradcheck::tests::a_wrong_backward _exposes_the_bug fails\n"
        );
        assert!(!html.contains('`'), "{html}");
    }

    #[test]
    fn leaves_fences_headings_escapes_and_unclosed_ticks_alone() {
        let page = "## The `tape`\n\n```rust\nlet s = `x`;\n```\n\nA \\`tick and `open\n\nnext`.\n";
        assert_eq!(spans(page), page);
    }

    #[test]
    fn a_pipe_in_a_table_row_is_unescaped() {
        let html = spans("| a | `x \\| y` |\n");
        assert_eq!(shown(&html), "| a | x | y |\n");
        assert!(html.contains("&#124;"), "{html}");
    }
}
