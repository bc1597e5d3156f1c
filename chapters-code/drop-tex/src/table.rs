//! Tables (`aligned`, `gathered`, matrices, `array`) laid out as KaTeX
//! describes them, in the one way every browser honours.
//!
//! KaTeX writes each environment as an `<mtable>` whose attributes say how
//! its columns align, how far apart they are and where rules go:
//! `aligned` is `columnalign="right left" columnspacing="0em"`, so that the
//! left sides end and the right sides start at one line, where the
//! relations stand; a matrix is `columnalign="center …"
//! columnspacing="1em"`. MathML Core, which Chromium implements, leaves
//! these attributes out: every cell is centred, with 0.4em of padding on
//! each side, so the "=" of an aligned block wander from row to row and a
//! wide gap follows each left side. [`lay_out`] writes what the attributes
//! mean into each cell's `style`, which every browser applies, with or
//! without scripts and in print.

use crate::mathml::{Element, Node};

/// Gives every cell of `table` (an `<mtable>`) the alignment, the padding
/// and the rule that the table's attributes ask for. Returns whether it
/// changed anything: a table with a cell that already has a style, or with
/// a spacing not in `em`, is left alone.
pub fn lay_out(table: &mut Element) -> bool {
    if table.name != "mtable" {
        return false;
    }
    let aligns = list(table.attr("columnalign"), "center");
    let Some(spacings) = list(table.attr("columnspacing"), "0.8em")
        .iter()
        .map(|s| em(s))
        .collect::<Option<Vec<f64>>>()
    else {
        return false;
    };
    let lines = list(table.attr("rowlines"), "none");
    let cells = |row: &Element| -> usize {
        row.children.iter().filter(|c| c.is("mtd")).count()
    };
    let rows: Vec<&Element> =
        table.children.iter().filter_map(row_of).collect();
    let columns = rows.iter().map(|r| cells(r)).max().unwrap_or(0);
    let last_row = rows.len().saturating_sub(1);
    let styled = rows
        .iter()
        .flat_map(|r| r.children.iter().filter_map(Node::element))
        .any(|cell| cell.attr("style").is_some());
    if columns == 0 || styled {
        return false;
    }
    // MathML repeats the last value of each list for the columns (and rows)
    // it does not reach.
    let nth =
        |values: &[String], i: usize| values[i.min(values.len() - 1)].clone();
    let gap = |i: usize| spacings[i.min(spacings.len() - 1)];
    let mut r = 0;
    for node in &mut table.children {
        let Node::Element(row) = node else { continue };
        if row.name != "mtr" {
            continue;
        }
        let line = (r < last_row)
            .then(|| nth(&lines, r))
            .filter(|l| l != "none");
        let mut c = 0;
        for cell in row.children.iter_mut() {
            let Node::Element(cell) = cell else { continue };
            if cell.name != "mtd" {
                continue;
            }
            // Half of each gap goes to the cell on either side of it; the
            // outer edges get none (a matrix's entries sit against its
            // brackets, as in TeX).
            let left = if c == 0 { 0.0 } else { gap(c - 1) / 2.0 };
            let right = if c + 1 == columns { 0.0 } else { gap(c) / 2.0 };
            let mut style = align(&nth(&aligns, c));
            style.push_str(&format!(
                "padding-left: {}; padding-right: {}",
                em_text(left),
                em_text(right)
            ));
            if let Some(line) = &line {
                style.push_str(&format!("; border-bottom: 0.05em {line}"));
            }
            cell.set_attr("style", &style);
            c += 1;
        }
        r += 1;
    }
    true
}

/// The declarations that align a cell's content to `side`. A cell's
/// content is a block (an `<mstyle>` or a token), which `text-align: left`
/// or `right` does not move in Chromium: only its `-webkit-` keywords do,
/// and its default for a cell, `-webkit-center`, is already the centre
/// (an explicit `center` would align left). The plain keyword comes first,
/// for a browser that does not know the other.
fn align(side: &str) -> String {
    match side {
        "left" | "right" => {
            format!("text-align: {side}; text-align: -webkit-{side}; ")
        }
        _ => String::new(),
    }
}

/// `node` as a table row: KaTeX writes `<mtr>` (and `<mlabeledtr>` for a
/// numbered equation, which the book has none of).
fn row_of(node: &Node) -> Option<&Element> {
    node.element().filter(|el| el.name == "mtr")
}

/// A whitespace-separated attribute value as a list, or `[default]`.
fn list(value: Option<&str>, default: &str) -> Vec<String> {
    let values: Vec<String> = value
        .unwrap_or(default)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if values.is_empty() {
        vec![default.to_string()]
    } else {
        values
    }
}

/// A length such as `1em` or `0em`, in em.
fn em(length: &str) -> Option<f64> {
    length.strip_suffix("em")?.parse().ok()
}

/// `x` em written the way KaTeX writes lengths: `0em`, `0.5em`.
fn em_text(x: f64) -> String {
    let rounded = (x * 10_000.0).round() / 10_000.0;
    format!("{rounded}em")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mathml::parse;

    fn laid_out(src: &str) -> (bool, String) {
        let mut table = parse(src).unwrap();
        let changed = lay_out(&mut table);
        let mut out = String::new();
        table.write(&mut out);
        (changed, out)
    }

    /// Each cell's style, row by row.
    fn styles(html: &str) -> Vec<Vec<String>> {
        let table = parse(html).unwrap();
        table
            .children
            .iter()
            .filter_map(Node::element)
            .map(|row| {
                row.children
                    .iter()
                    .filter_map(Node::element)
                    .map(|cell| cell.attr("style").unwrap_or("").to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn aligned_puts_the_relations_in_one_column() {
        // Convolution's y_01 (two rows; the second's left side is empty), as
        // mdbook-katex writes it, cut short.
        let src = "<mtable rowspacing=\"0.25em\" columnalign=\"right left\" columnspacing=\"0em\"><mtr><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><msub><mi>y</mi><mn>01</mn></msub></mstyle></mtd><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><mrow><mrow></mrow><mo>=</mo><mn>1</mn></mrow></mstyle></mtd></mtr><mtr><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><mrow></mrow></mstyle></mtd><mtd><mstyle scriptlevel=\"0\" displaystyle=\"true\"><mrow><mrow></mrow><mo>=</mo><mn>6.5</mn></mrow></mstyle></mtd></mtr></mtable>";
        let (changed, out) = laid_out(src);
        assert!(changed);
        let right =
            "text-align: right; text-align: -webkit-right; padding-left: 0em; padding-right: 0em";
        let left =
            "text-align: left; text-align: -webkit-left; padding-left: 0em; padding-right: 0em";
        assert_eq!(styles(&out), vec![vec![right, left], vec![right, left]]);
        // Nothing else changes.
        assert_eq!(
            out.replace(&format!(" style=\"{right}\""), "")
                .replace(&format!(" style=\"{left}\""), ""),
            src
        );
    }

    #[test]
    fn a_matrix_spaces_its_columns_and_not_its_edges() {
        // \begin{bmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \end{bmatrix}'s table.
        let src = "<mtable rowspacing=\"0.16em\" columnalign=\"center center center\" columnspacing=\"1em\"><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr></mtable>";
        let (changed, out) = laid_out(src);
        assert!(changed);
        // A centred cell keeps the browser's own centring.
        let cell =
            |l: &str, r: &str| format!("padding-left: {l}; padding-right: {r}");
        let row = vec![
            cell("0em", "0.5em"),
            cell("0.5em", "0.5em"),
            cell("0.5em", "0em"),
        ];
        assert_eq!(styles(&out), vec![row.clone(), row]);
    }

    #[test]
    fn the_last_value_of_a_list_repeats() {
        // KaTeX's \begin{alignedat}{2} writes "right left right left"; a
        // shorter list repeats its last value, as MathML says.
        let src = "<mtable columnalign=\"right left\" columnspacing=\"0em 1em\"><mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd></mtr></mtable>";
        let (_, out) = laid_out(src);
        assert_eq!(
            styles(&out),
            vec![vec![
                "text-align: right; text-align: -webkit-right; padding-left: 0em; padding-right: 0em",
                "text-align: left; text-align: -webkit-left; padding-left: 0em; padding-right: 0.5em",
                "text-align: left; text-align: -webkit-left; padding-left: 0.5em; padding-right: 0.5em",
                "text-align: left; text-align: -webkit-left; padding-left: 0.5em; padding-right: 0em",
            ]]
        );
    }

    #[test]
    fn a_rule_goes_under_its_row() {
        // \begin{array}{ll} a & b \\ \hline c & d \\ e & f \end{array}
        // (the table of local gradients in "Computational graphs").
        let src = "<mtable rowspacing=\"0.16em\" columnalign=\"left left\" columnspacing=\"1em\" rowlines=\"solid none\"><mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr><mtr><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd></mtr><mtr><mtd><mi>e</mi></mtd><mtd><mi>f</mi></mtd></mtr></mtable>";
        let (_, out) = laid_out(src);
        let got = styles(&out);
        assert!(
            got[0]
                .iter()
                .all(|s| s.ends_with("; border-bottom: 0.05em solid")),
            "{got:?}"
        );
        assert!(
            got[1..].iter().flatten().all(|s| !s.contains("border")),
            "{got:?}"
        );
        assert!(
            got.iter().all(|row| row[0]
                .starts_with("text-align: left; text-align: -webkit-left;")),
            "{got:?}"
        );
    }

    #[test]
    fn a_table_it_cannot_read_is_left_alone() {
        for src in [
            // A spacing in another unit.
            "<mtable columnspacing=\"5pt\"><mtr><mtd><mi>a</mi></mtd></mtr></mtable>",
            // A cell that already has a style.
            "<mtable><mtr><mtd style=\"text-align: left\"><mi>a</mi></mtd></mtr></mtable>",
            // No cells.
            "<mtable></mtable>",
            // Not a table.
            "<mrow><mi>a</mi></mrow>",
        ] {
            assert_eq!(laid_out(src), (false, src.to_string()), "{src}");
        }
    }
}
