//! The network chapter's figures, plotted with `plotters` (SVG backend
//! only) from the book's spiral run ([`net::spiral_run`]): the loss over
//! training, and the regions of the plane that the trained network gives
//! to each class, with the training points on top.
//!
//! plotters writes one element per line with indentation; [`inline`]
//! strips that, drops blank lines (a blank line would end the inline HTML
//! block in the markdown) and gives the document the same `role="img"`,
//! `<title>` and `<desc>` as the book's other figures.

use super::format::typeset;
use super::svg::{escape, subscripts, FONT, MIN_FONT_SIZE};
use crate::loss;
use crate::net::{self, Network, SpiralRun, SPIRAL_TRAINING};
use ndarray::Array2;
use plotters::prelude::*;
use std::sync::OnceLock;

/// The spiral run, shared by both figures: read once per process from
/// the run that [`net::spiral_run_cached`] keeps (trained at most once per
/// build), so that the figure check and the chapter's listings train once
/// between them.
fn run() -> &'static SpiralRun {
    static RUN: OnceLock<SpiralRun> = OnceLock::new();
    RUN.get_or_init(net::spiral_run_cached)
}

/// The plots' colours: three series (orange, blue and bluish green, after
/// Okabe and Ito, readable by colour-blind readers) and a light tint of
/// each for the regions, as the light theme draws them. In the book every
/// theme sets its own ([`themed`]).
pub(crate) const SERIES: [RGBColor; 3] = [
    RGBColor(0xb3, 0x47, 0x00),
    RGBColor(0x00, 0x68, 0xa3),
    RGBColor(0x00, 0x77, 0x5a),
];
pub(crate) const TINT: [RGBColor; 3] = [
    RGBColor(0xee, 0xd7, 0xc7),
    RGBColor(0xc7, 0xde, 0xeb),
    RGBColor(0xc7, 0xe1, 0xdb),
];

/// Width and height of the loss plot and of the region plot (a square
/// plot with its legend below), in SVG user units. The region plot fits a
/// phone's column (350 px at 390) at 0.85 of its width, as far as the
/// stylesheet lets a figure shrink, so that it need not scroll there.
const LOSS_SIZE: (u32, u32) = (600, 400);

/// Where the loss plot's "ln 3: guessing" label starts, in pixels right
/// of and below the start of the guessing line (its top-left corner).
const LN3_LABEL: (i32, i32) = (8, 7);
const REGION_SIZE: (u32, u32) = (410, 424);

/// plotters' SVG as a figure to inline: no indentation, no blank lines, the
/// book's accessible header, a class that lets it shrink with the page, the
/// theme's colours ([`themed`]), the figures' [`FONT`] and `_col` as a
/// subscript.
pub(crate) fn inline(
    raw: &str,
    (w, h): (u32, u32),
    id: &str,
    title: &str,
    desc: &str,
) -> String {
    let mut lines = raw.lines().map(str::trim).filter(|l| !l.is_empty());
    let open = lines.next().expect("plotters wrote an <svg> element");
    assert!(open.starts_with("<svg"), "figures: unexpected start {open}");
    let mut out = vec![
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lg-svg lg-plot\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" style=\"max-width:100%;height:auto;--lg-natural-width:{w}px\" font-family=\"{FONT}\">"
        ),
        format!("<title id=\"{id}-title\">{}</title>", escape(title)),
        format!("<desc id=\"{id}-desc\">{}</desc>", escape(desc)),
    ];
    // plotters puts a <text> element's words on lines of their own: join
    // every line that does not start an element onto the line before. Its
    // texts name a font each; they take the figure's instead.
    for line in lines.map(themed) {
        let line = line.replace(" font-family=\"sans-serif\"", "");
        match out.last_mut() {
            Some(prev)
                if !(line.starts_with('<') && prev.ends_with('>'))
                    || line.starts_with("</") =>
            {
                prev.push_str(&line)
            }
            _ => out.push(line),
        }
    }
    // An axis's tick label (a text that is only a number) is a scale, not
    // a claim: mark it so that the number checks leave it alone. And set
    // each `_col` of a text as a subscript.
    for line in &mut out[3..] {
        if is_tick(line) {
            *line = line.replacen("<text ", "<text class=\"lg-tick\" ", 1);
        }
        if let (Some(size), Some((open, text))) =
            (attr(line, "font-size"), line.split_once('>'))
        {
            let (text, close) =
                text.split_at(text.find("</text>").unwrap_or(text.len()));
            *line = format!(
                "{open}>{}{close}",
                subscripts(text, size.parse().unwrap(), MIN_FONT_SIZE)
            );
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// The value of attribute `name` of the element on `line`.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (_, rest) = line.split_once(&format!(" {name}=\""))?;
    rest.split('"').next()
}

/// One line of plotters' SVG in the theme's colours: black (axes, text)
/// becomes `currentColor`, the page's text colour; a series, a tint or
/// white (the page behind the points) becomes `currentColor` with a class
/// that `theme/local-gradients.css` colours in every theme, and keeps its
/// light-theme colour as `color` for a page without the stylesheet. Any
/// other colour (or a second one) is refused: it would not follow the theme.
fn themed(line: &str) -> String {
    let mut line = line.replace("\"#000000\"", "\"currentColor\"");
    let classes = [
        "series-1", "series-2", "series-3", "tint-1", "tint-2", "tint-3",
        "page",
    ];
    for (c, class) in SERIES.iter().chain(&TINT).chain([&WHITE]).zip(classes) {
        let hex = format!("\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        if line.contains(&hex) && !line.contains(" class=") {
            let role = format!(" class=\"lg-{class}\" color={hex} ");
            line = line
                .replace(&hex, "\"currentColor\"")
                .replacen(' ', &role, 1);
        }
    }
    let fixed = ["fill=\"#", "stroke=\"#"].iter().any(|a| line.contains(a));
    assert!(!fixed, "figures: a plot colour that no theme sets: {line}");
    line
}

/// Whether a line is a whole `<text>` element whose text is one number
/// (`0.4`, `−1.0`, `10,000`) centred on or ending at its point: an axis's
/// tick label (a value written after its bar starts there).
fn is_tick(line: &str) -> bool {
    if line.contains("text-anchor=\"start\"") {
        return false;
    }
    let Some(body) = line
        .strip_suffix("</text>")
        .and_then(|l| l.rsplit_once('>'))
        .map(|(_, t)| t)
    else {
        return false;
    };
    let body = body.strip_prefix(super::format::MINUS).unwrap_or(body);
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// Renders a plot into an SVG string with plotters.
fn plot(
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<SVGBackend, plotters::coord::Shift>),
) -> String {
    let mut raw = String::new();
    {
        // No background: the page shows through, in every theme.
        let root = SVGBackend::with_string(&mut raw, size).into_drawing_area();
        draw(root.clone());
        root.present().expect("plotters: present");
    }
    raw
}

/// The loss before step `k`, every `every` steps (and the last).
fn sampled(losses: &[f64], every: usize) -> Vec<(usize, f64)> {
    let mut points: Vec<(usize, f64)> =
        losses.iter().copied().enumerate().step_by(every).collect();
    let last = losses.len() - 1;
    if points.last().map(|p| p.0) != Some(last) {
        points.push((last, losses[last]));
    }
    points
}

/// The points of a line plot thinned to what its pixels can show: where
/// consecutive points fall in one pixel column (`column` gives a point's),
/// the column's first, lowest, highest and last points, in their order,
/// so that thinning hides no spike.
fn thin(
    points: &[(usize, f64)],
    column: impl Fn(&(usize, f64)) -> i32,
) -> Vec<(usize, f64)> {
    let mut shown = Vec::new();
    for run in points.chunk_by(|a, b| column(a) == column(b)) {
        let by_value = |&i: &usize, &j: &usize| run[i].1.total_cmp(&run[j].1);
        let lowest = (0..run.len()).min_by(by_value).unwrap_or(0);
        let highest = (0..run.len()).max_by(by_value).unwrap_or(0);
        let mut keep = [0, lowest, highest, run.len() - 1];
        keep.sort_unstable();
        for (n, &i) in keep.iter().enumerate() {
            if n == 0 || keep[n - 1] != i {
                shown.push(run[i]);
            }
        }
    }
    shown
}

/// Figure `spiral-loss.svg`: the full-batch loss (data loss plus the L2
/// penalty) before each of the 10,000 steps, on a logarithmic step axis so
/// that the fast first hundred steps and the slow tail both show.
pub fn spiral_loss() -> String {
    let losses = &run().losses;
    let points = sampled(losses, 1);
    let raw = plot(LOSS_SIZE, |root| {
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_right(36)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(
                (1usize..SPIRAL_TRAINING.steps).log_scale(),
                0.0..1.2,
            )
            .expect("plotters: chart");
        chart
            .configure_mesh()
            .x_label_formatter(&|step: &usize| thousands(*step))
            .x_desc("step (log scale)")
            .y_desc("loss")
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .max_light_lines(0)
            .draw()
            .expect("plotters: mesh");
        // Plot step k + 1 so that the first step sits at 1 on the log axis.
        let shifted: Vec<(usize, f64)> =
            points.iter().map(|&(k, l)| (k + 1, l)).collect();
        let shown = thin(&shifted, |p| chart.backend_coord(p).0);
        chart
            .draw_series(LineSeries::new(shown, SERIES[1].stroke_width(2)))
            .expect("plotters: line");
        let ln3 = 3f64.ln();
        chart
            .draw_series(LineSeries::new(
                [(1, ln3), (SPIRAL_TRAINING.steps, ln3)],
                BLACK.mix(0.35),
            ))
            .expect("plotters: line");
        // The label hangs just under the guessing line from its start,
        // between the y = 1.0 gridline and it, and ends well before the
        // step-10 gridline.
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((1, ln3))
                    + Text::new(
                        "$ln 3$: guessing",
                        LN3_LABEL,
                        ("sans-serif", 17),
                    ),
            ))
            .expect("plotters: text");
    });
    let desc = format!(
        "A line plot of the training loss against the step number, on a logarithmic step axis from 1 to 10,000. The loss starts at {:.3}, close to ln 3 = {:.3} (marked by a grey line), which is the loss of a network that gives each of the three classes probability one third. It falls to {:.3} by step 100 and {:.3} by step 1,000, then flattens out and is {:.4} before the last step.{}",
        losses[0],
        3f64.ln(),
        losses[100],
        losses[1000],
        losses[losses.len() - 1],
        overshoots(losses),
    );
    inline(
        &raw,
        LOSS_SIZE,
        "spiral-loss",
        "Training loss of the two-layer network on the spiral",
        &desc,
    )
}

/// A whole number with a comma between thousands, as the chapter writes
/// them (`10,000`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The steps that overshoot, in words: how often the loss at a step is
/// more than 0.01 above the loss at the step before, the first and the
/// last step where it is, and the largest rise.
fn overshoots(losses: &[f64]) -> String {
    let rises: Vec<usize> = (1..losses.len())
        .filter(|&k| losses[k] > losses[k - 1] + 0.01)
        .collect();
    let worst = losses.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    match (rises.first(), rises.last()) {
        (Some(a), Some(b)) => format!(
            " It is not monotone: {} times the loss at a step is more than 0.01 above the loss at the step before, first at step {a} and last at step {b}; the largest rise is {worst:.2}.",
            rises.len()
        ),
        _ => String::new(),
    }
}

/// The decision regions: the class the network predicts at the centre of
/// each cell of a `cells × cells` grid over `[-lim, lim]²`, as rows from
/// the bottom (y = -lim) to the top.
pub fn regions(net: &Network, cells: usize, lim: f64) -> Vec<Vec<usize>> {
    let centre = |i: usize| -lim + (i as f64 + 0.5) * 2.0 * lim / cells as f64;
    let grid = Array2::from_shape_fn((2, cells * cells), |(axis, k)| {
        if axis == 0 {
            centre(k % cells)
        } else {
            centre(k / cells)
        }
    });
    let predicted = loss::predictions(&net.scores(&grid));
    predicted.chunks(cells).map(|row| row.to_vec()).collect()
}

/// A tick label with one decimal and a true minus sign (`−0.5`); a tick
/// within rounding of zero reads `0.0`, never `−0.0`.
fn tick(v: &f64) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { *v };
    typeset(&format!("{v:.1}"))
}

/// The marks of class `label` at the point `p` (in `area`'s coordinates):
/// a circle with an outline in the page's colour, a triangle or a square,
/// each about 8 × 8 pixels, so that shape tells the classes apart as well
/// as colour.
fn draw_mark<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    p: CT::From,
    label: usize,
) where
    CT::From: Clone,
{
    let style = SERIES[label].filled();
    let mark: DynElement<_, _> = match label {
        0 => Circle::new((0, 0), 4, style).into_dyn(),
        1 => TriangleMarker::new((0, 0), 5, style).into_dyn(),
        _ => Rectangle::new([(-4, -4), (4, 4)], style).into_dyn(),
    };
    area.draw(&(EmptyElement::at(p.clone()) + mark))
        .expect("plotters: point");
    if label == 0 {
        let outline = Circle::new((0, 0), 4, WHITE.stroke_width(1));
        area.draw(&(EmptyElement::at(p) + outline))
            .expect("plotters: point");
    }
}

/// Height of the band under the region plot that holds its legend.
const LEGEND_HEIGHT: u32 = 30;

/// Figure `spiral-regions.svg`: the plane coloured by the class that the
/// trained network predicts (a 120 × 120 grid, runs of equal cells merged
/// into one rectangle), with the 300 training points on top as circles,
/// triangles and squares, one shape per arm; both axes named after the
/// chapter's coordinates, and a legend of the three classes below.
pub fn spiral_regions() -> String {
    let SpiralRun { x, labels, net, .. } = run();
    let (cells, lim) = (120, 1.1);
    let grid = regions(net, cells, lim);
    let step = 2.0 * lim / cells as f64;
    let accuracy = net.accuracy(x, labels);
    let raw = plot(REGION_SIZE, |root| {
        let (top, legend) =
            root.split_vertically(REGION_SIZE.1 - LEGEND_HEIGHT);
        let mut chart = ChartBuilder::on(&top)
            .margin(12)
            .margin_right(16)
            .x_label_area_size(52)
            .y_label_area_size(64)
            .build_cartesian_2d(-lim..lim, -lim..lim)
            .expect("plotters: chart");
        // Five ticks per axis, half a unit apart: eleven did not fit.
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(5)
            .y_labels(5)
            .x_desc("first input, $ρ sin θ$")
            .y_desc("second input, $ρ cos θ$")
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 17))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .draw()
            .expect("plotters: mesh");
        for (r, row) in grid.iter().enumerate() {
            let (y0, mut start) = (-lim + r as f64 * step, 0);
            for run in row.chunk_by(|a, b| a == b) {
                let x0 = -lim + start as f64 * step;
                start += run.len();
                let x1 = -lim + start as f64 * step;
                let cell = Rectangle::new(
                    [(x0, y0), (x1, y0 + step)],
                    TINT[run[0]].filled(),
                );
                chart.draw_series([cell]).expect("plotters: region");
            }
        }
        let plotting = chart.plotting_area();
        for (k, &label) in labels.iter().enumerate() {
            draw_mark(plotting, (x[[0, k]], x[[1, k]]), label);
        }
        // The legend: each class's mark and its name, in a row centred
        // under the plot (the middle entry's mark and name, about 52
        // pixels wide, centred on the plot's middle).
        let entry = 96;
        let h = legend.dim_in_pixel().1 as i32;
        let left = chart.backend_coord(&(0.0, 0.0)).0 - 26 - entry;
        let style = TextStyle::from(("sans-serif", 17).into_font()).pos(
            plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ),
        );
        for class in 0..3 {
            let at = (left + entry * class as i32, h / 2);
            draw_mark(&legend, at, class);
            let name = format!("class {}", class + 1);
            legend
                .draw(&Text::new(name, (at.0 + 10, at.1), style.clone()))
                .expect("plotters: legend");
        }
    });
    let shares: Vec<String> = (0..3)
        .map(|c| {
            let n = grid.iter().flatten().filter(|&&g| g == c).count();
            format!("{:.0}%", 100.0 * n as f64 / (cells * cells) as f64)
        })
        .collect();
    let desc = format!(
        "The square from −1.1 to 1.1 in both coordinates, coloured by the class that the trained network predicts at each point: three interleaved spiral-shaped regions, orange, blue and green, that wind out from the centre and cover about {}, {} and {} of the square. The horizontal axis is the first input, ρ sin θ, the vertical axis the second, ρ cos θ. On top, the 300 training points: three spiral arms of 100 points each, drawn as orange circles (class 1), blue triangles (class 2) and green squares (class 3), as the legend under the plot says. The network classifies {:.1}% of them correctly; the few mistakes sit where two noisy arms touch near the centre.",
        shares[0],
        shares[1],
        shares[2],
        100.0 * accuracy,
    );
    inline(
        &raw,
        REGION_SIZE,
        "spiral-regions",
        "Decision regions of the trained network, with the spiral's training points",
        &desc,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_every_columns_spike_and_its_ends() {
        // Ten points to a column; a spike and a dip inside the first.
        let mut points: Vec<(usize, f64)> = (0..30).map(|k| (k, 1.0)).collect();
        points[4].1 = 5.0;
        points[6].1 = -2.0;
        let shown = thin(&points, |&(k, _)| (k / 10) as i32);
        let first: Vec<(usize, f64)> = shown.iter().copied().take(4).collect();
        assert_eq!(
            first,
            [(0, 1.0), (4, 5.0), (6, -2.0), (9, 1.0)],
            "thin: column 0 should keep its first, highest, lowest and last points in step order"
        );
        assert_eq!(
            shown.len(),
            4 + 2 + 2,
            "thin: a flat column keeps its two ends: {shown:?}"
        );
    }
    use crate::figures::MATH_FONT;

    #[test]
    fn plots_take_the_themes_colours_and_mark_their_ticks() {
        for svg in [spiral_loss(), spiral_regions()] {
            assert!(!svg.contains("−0.0<"), "a negative zero tick");
            assert!(svg.contains("<text class=\"lg-tick\""), "no tick marked");
        }
        let ln3 = format!(
            "<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\" font-size=\"16.5\">ln<tspan dx=\"2.7\">3</tspan></tspan>: guessing<"
        );
        assert!(spiral_loss().contains(&ln3), "no {ln3}");
        let bar = "<rect x=\"1\" fill=\"#0068A3\" stroke=\"none\"/>";
        let themed_bar = "<rect class=\"lg-series-2\" color=\"#0068A3\" x=\"1\" fill=\"currentColor\" stroke=\"none\"/>";
        assert_eq!(themed(bar), themed_bar);
        assert!(std::panic::catch_unwind(|| themed(
            "<rect fill=\"#FF0000\"/>"
        ))
        .is_err());
        assert!(
            is_tick("<text x=\"1\">−0.5</text>")
                && !is_tick("<text>1/x</text>")
        );
        assert!(is_tick("<text x=\"1\">10,000</text>"));
        for (n, shown) in [
            (1, "1"),
            (1_000, "1,000"),
            (10_000, "10,000"),
            (123_456, "123,456"),
        ] {
            assert_eq!(thousands(n), shown, "{n} with its thousands separated");
        }
        let regions = spiral_regions();
        // ρ sin θ is one formula, in the math font, as on the page: a thin
        // space (3/18 of 16.5 units) on each side of the operator name.
        let math = |f: &str| {
            format!("<tspan class=\"lg-math\" font-family=\"{MATH_FONT}\" font-weight=\"400\" font-size=\"16.5\">{f}</tspan>")
        };
        for name in [
            format!(
                "first input, {}",
                math(
                    "𝜌<tspan dx=\"2.7\">sin</tspan><tspan dx=\"2.7\">𝜃</tspan>"
                )
            ),
            format!(
                "second input, {}",
                math(
                    "𝜌<tspan dx=\"2.7\">cos</tspan><tspan dx=\"2.7\">𝜃</tspan>"
                )
            ),
            "class 1".to_string(),
            "class 3".to_string(),
        ] {
            assert!(regions.contains(&format!(">{name}<")), "no text {name}");
        }
        // Five ticks on each axis of the region plot, not eleven.
        let ticks = regions.matches("class=\"lg-tick\"").count();
        assert_eq!(ticks, 10, "tick labels on the region plot's two axes");
    }

    #[test]
    fn regions_match_the_networks_predictions() {
        let SpiralRun { x, labels, net, .. } = run();
        // At the training points, the region's class is the prediction, so
        // the share of points inside their own region is the accuracy.
        let cells = 400;
        let grid = regions(net, cells, 1.1);
        let cell =
            |v: f64| (((v + 1.1) / 2.2 * cells as f64) as usize).min(cells - 1);
        let inside = (0..labels.len())
            .filter(|&k| grid[cell(x[[1, k]])][cell(x[[0, k]])] == labels[k])
            .count();
        let accuracy = net.accuracy(x, labels);
        assert!(accuracy >= 0.97, "{accuracy}");
        let share = inside as f64 / labels.len() as f64;
        assert!((share - accuracy).abs() <= 0.02, "{share} vs {accuracy}");
        assert_eq!(tick(&-1e-17), "0.0");
        assert_eq!(tick(&-0.5), "−0.5");
    }
}
