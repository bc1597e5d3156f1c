//! The convolution chapter's figure: im2col turns the worked example's
//! windows into the columns of a matrix, and the convolution becomes the
//! affine layer `W_col X_col + b`.

use super::format::{short, short_vec};
use super::graph::text_width;
use super::grid::{cells, numbers};
use super::svg::{font_size, Anchor, Svg};
use crate::conv;

/// How far a guide (a dashed connector) stops from what it joins, in user
/// units.
const GUIDE_GAP: f64 = 6.0;
/// The estimated width of a line of text of `class` ([`text_width`] of
/// its source, scaled to the class's size).
fn width(class: &str, text: &str) -> f64 {
    text_width(text) * font_size(class) / 14.0
}

/// Figure `im2col.svg`: the 3 × 3 input with the window under output
/// position (0, 1) highlighted; `X_col = im2col(x)` (4 × 4) with that
/// window's column highlighted and the filter `W_col` written beside its
/// rows; `Y_col = W_col X_col + b` under the columns; and `y`, the same
/// four numbers as a 2 × 2 output. The example is [`conv::example`], and
/// every number comes from [`conv::im2col`] and [`conv::forward`], and is
/// checked against the loops of [`conv::forward_loops`].
pub fn im2col() -> String {
    let (w, x, b, _, p) = conv::example();
    let cols = conv::im2col(&x, (2, 2), p);
    let w_col = conv::w_col(&w);
    let (y, _) = conv::forward(&w, &x, &b, p);
    assert_eq!(
        y,
        conv::forward_loops(&w, &x, &b, p),
        "figures: im2col and loops disagree"
    );
    let y_col: Vec<f64> = y.iter().copied().collect();
    let picked = 1; // output position (0, 1): rows 0..2, columns 1..3 of x

    let (cw, ch) = (46.0, 34.0);
    let top = 58.0;
    let left = 14.0;
    let mut svg = Svg::new("im2col");

    // The input, with the picked window highlighted.
    let input = numbers((3, 3), |r, c| x[[0, 0, r, c]], |r, c| r < 2 && c > 0);
    cells(&mut svg, left, top, cw, ch, &input);
    let mid_x = left + 1.5 * cw;
    svg.heading(mid_x, top, "lg-value", "$X$", "$3 × 3$ input");
    // A formula with an index is set in heading-size text (a base of 18
    // units), where TeX's script size, 70 % of it, is about the figures'
    // smallest text; on caption-size text the index would be floored at
    // 83 % of its base. So the window's output, Y_{0,1}, is a text of its
    // own, set after the caption's words on their line (a word space
    // between them), the two centred together under the grid.
    let under = top + 3.0 * ch + 20.0;
    let (words, output) = ("window under", "$Y_{0,1}$");
    let space = 0.26 * font_size("lg-caption");
    let words_w = width("lg-caption", words);
    let start = mid_x - (words_w + space + width("lg-head", output)) / 2.0;
    svg.text(start, under, Anchor::Start, "lg-caption", words);
    let after = start + words_w + space;
    svg.text(after, under, Anchor::Start, "lg-head", output);

    // X_col, with the filter's entries as row labels.
    let labels_w = 96.0;
    let gap = 40.0;
    let col_x = left + 3.0 * cw + gap + labels_w;
    let matrix = numbers((4, 4), |r, c| cols[[r, c]], |_, c| c == picked);
    cells(&mut svg, col_x, top, cw, ch, &matrix);
    // The labels start together, so that their W's and = signs align and
    // the guide can end GUIDE_GAP before them in any math font; the widest
    // (by its estimate, [`width`]) ends 8 units before the grid.
    let names = ["W_{0,0}", "W_{0,1}", "W_{1,0}", "W_{1,1}"];
    let labels: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(r, name)| format!("${name} = {}$", short(w_col[[0, r]])))
        .collect();
    let widest = labels
        .iter()
        .map(|l| width("lg-head", l))
        .fold(0.0, f64::max);
    let labels_x = col_x - 8.0 - widest;
    for (r, label) in labels.iter().enumerate() {
        let y = top + (r as f64 + 0.5) * ch + 5.0;
        svg.text(labels_x, y, Anchor::Start, "lg-head", label);
    }
    let (head, size) =
        ("$X_{col} = im2col(X)$", "one column per window ($4 × 4$)");
    svg.heading(col_x + 2.0 * cw, top, "lg-value", head, size);
    // From the window's side to the labels, GUIDE_GAP from each; drawn
    // from the labels' end, where its dashes begin, so that its last dash
    // reaches them whatever its length.
    let guide = (labels_x - GUIDE_GAP, top + ch);
    svg.line(guide, (left + 3.0 * cw + GUIDE_GAP, top + ch), "lg-guide");

    // Y_col under the columns.
    let below = top + 4.0 * ch + 18.0;
    let row = numbers((1, 4), |_, c| y_col[c], |_, c| c == picked);
    cells(&mut svg, col_x, below, cw, ch, &row);
    let at = below + ch / 2.0 + 5.0;
    svg.text(
        col_x - 8.0,
        at,
        Anchor::End,
        "lg-head",
        "$W_{col} X_{col} + b$",
    );

    // y, the same numbers as a 2 × 2 image.
    let out_x = col_x + 4.0 * cw + gap;
    let out =
        numbers((2, 2), |r, c| y[[0, 0, r, c]], |r, c| r * 2 + c == picked);
    let out_top = below + ch - 2.0 * ch;
    cells(&mut svg, out_x, out_top, cw, ch, &out);
    svg.heading(out_x + cw, out_top, "lg-value", "$Y$", "$2 × 2$ output");
    let guide = (
        (col_x + 4.0 * cw + GUIDE_GAP, below + ch / 2.0),
        (out_x - GUIDE_GAP, below + ch / 2.0),
    );
    svg.line(guide.0, guide.1, "lg-guide");

    let bottom = below + ch + 34.0;
    let terms: Vec<String> = (0..4)
        .map(|r| short(w_col[[0, r]] * cols[[r, picked]]))
        .collect();
    svg.text(
        left,
        bottom - 8.0,
        Anchor::Start,
        "lg-legend",
        &format!(
            "Each output is the filter row times one column, plus $b$: ${} + {} = {}$.",
            terms.join(" + "),
            short(b[0]),
            short(y_col[picked])
        ),
    );
    let width = out_x + 2.0 * cw + 14.0;
    let columns: Vec<String> =
        (0..4).map(|c| short_vec(cols.column(c).iter())).collect();
    let desc = format!(
        "Left, the 3 by 3 input X with rows {}; the 2 by 2 window under output position (0, 1) is highlighted. Middle, the matrix X col that im2col builds: one column per window, read row by row, so its columns are {}; the second column, the highlighted window, is highlighted too. Each row of X col is labelled with the filter weight that multiplies it: {}. Below, W col X col + b gives {}, one number per column, and right, the same four numbers arranged as the 2 by 2 output Y.",
        (0..3)
            .map(|r| short_vec(x.slice(ndarray::s![0, 0, r, ..]).iter()))
            .collect::<Vec<_>>()
            .join(", "),
        columns.join(", "),
        short_vec(w_col.iter()),
        short_vec(y_col.iter()),
    );
    svg.finish(
        width,
        bottom,
        "im2col: every window becomes a column, and the convolution becomes the affine layer",
        &desc,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::MATH_FONT;

    #[test]
    fn im2col_figure_shows_the_columns_and_the_output() {
        let svg = im2col();
        // Symbols as the page sets them, in its math font: italic
        // variables, upright indices at TeX's script size. Every formula
        // with an index is set on a base of 18 units, whose script size
        // (12.6) is about the smallest text, 13: the index is 72 % of its
        // base (not 83 %, as on caption-size text) and drops 0.25 em of
        // it (0.35 em of the index).
        let math = |f: &str| {
            format!("<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\" font-size=\"18\">{f}</tspan>")
        };
        let sub = |i: &str| {
            format!("<tspan dx=\"0.9\" baseline-shift=\"-0.35em\" font-size=\"13\">{i}</tspan>")
        };
        let at = |dx: &str, s: &str| format!("<tspan dx=\"{dx}\">{s}</tspan>");
        // Whole formulas in the math font, spaced as TeX spaces them (a
        // thick space is 5 units of 18, a medium one 4, a thin one 3).
        for text in [
            format!(
                ">{}<",
                math(&format!(
                    "𝑊{}{}{}1",
                    sub("0,1"),
                    at("5", "="),
                    at("5", "−")
                ))
            ),
            format!(
                ">{}<",
                math(&format!(
                    "𝑊{}{}{}{}{}",
                    sub("col"),
                    at("3", "𝑋"),
                    sub("col"),
                    at("4", "+"),
                    at("4", "𝑏")
                ))
            ),
            format!(">{}<", math(&format!("𝑌{}", sub("0,1")))),
            ">6.5<".to_string(),
            format!("{}{}(𝑋", at("5", "="), at("5", "im2col")),
            format!("{}{}</tspan>.<", at("4.3", "="), at("4.3", "6.5")),
        ] {
            assert!(svg.contains(&text), "im2col: no {text}");
        }
        // 9 input cells, 16 in X_col, 4 in Y_col, 4 in Y; the picked window
        // is highlighted in each: 4 + 4 + 1 + 1.
        assert_eq!(svg.matches("class=\"lg-cell").count(), 33);
        assert_eq!(svg.matches("lg-cell-nonzero").count(), 10);
        assert!(svg
            .contains("its columns are [1, 2, −1, 3], [2, 0, 3, 1], [−1, 3, 2, 0], [3, 1, 0, −2]"));
    }
}
