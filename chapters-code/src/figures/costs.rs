//! The appendix "What the Jacobian costs", drawn from criterion's benchmark
//! results rather than from the crate's numbers, so it is not one of
//! [`FIGURES`](super::FIGURES): it lives in `chapters-code/measured/` and is redrawn by
//! `cargo run -p backprop --features figures --bin bench-report` after
//! `cargo bench -p backprop-benches --bench backward`.
//!
//! [`Measured::read`] reads criterion's results, [`Measured::table`] lists
//! them, and [`jacobian_costs`] plots what the table states
//! ([`Measured::from_table`]) with plotters; `tests/tests/figures.rs` checks
//! the committed chart against its committed table.

use super::network::{inline, SERIES, TINT};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// The ReLU sizes `d` that the benchmark `relu_backward` measures.
pub const RELU_SIZES: [usize; 5] = [16, 64, 256, 1024, 4096];

/// The median time per call, in nanoseconds, from the text of a criterion
/// `estimates.json`. `None` when the text is not JSON or has no median.
pub fn median_ns(estimates_json: &str) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(estimates_json).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// The units of a duration (in nanoseconds) and of a byte count, largest
/// first.
const TIME: [(&str, f64); 4] =
    [("s", 1e9), ("ms", 1e6), ("µs", 1e3), ("ns", 1.0)];
const SIZE: [(&str, f64); 3] =
    [("MiB", 1048576.0), ("KiB", 1024.0), ("B", 1.0)];

/// A quantity as a short label in the largest of `units` it reaches, with
/// one decimal below 10 unless it is whole: `"230 ms"`, `"3.9 µs"`, `"1 s"`,
/// `"32 KiB"`.
fn with_unit(v: f64, units: &[(&str, f64)]) -> String {
    let (unit, scale) = *units
        .iter()
        .find(|u| v >= u.1)
        .unwrap_or(&units[units.len() - 1]);
    let value = v / scale;
    if value >= 10.0 || value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// A duration in nanoseconds as a short label: `"230 ms"`, `"3.9 µs"`.
pub fn duration(ns: f64) -> String {
    with_unit(ns, &TIME)
}

/// A label of [`with_unit`] read back, in the unit whose scale is 1.
fn scaled(label: &str, units: &[(&str, f64)]) -> Option<f64> {
    let (value, unit) = label.split_once(' ')?;
    let scale = units.iter().find(|u| u.0 == unit)?.1;
    Some(value.parse::<f64>().ok()? * scale)
}

/// The rows' plain names for the mathematics, and the TeX the table sets
/// them in, as the chapters do: the book's preprocessors render each
/// `\( … \)` of the included table as the pages' own MathML, so the table
/// has the pages' notation and font, and no line breaks inside a formula.
/// [`Measured::table`] writes the second of each pair and
/// [`Measured::from_table`] reads it back as the first.
const NOTATION: [(&str, &str); 8] = [
    ("X_col", r"\(X_{\text{col}}\)"),
    ("dX, ", r"\(\dd X\), "),
    ("from x", r"from \(x\)"),
    ("dY·Xᵀ", r"\(\dd Y\, X^\top\)"),
    ("Wᵀ·dY", r"\(W^\top \dd Y\)"),
    ("(d, m, n) = (512, 512, 512)", r"\(d = m = n = 512\)"),
    ("32 → 32", r"\(32 \to 32\)"),
    ("256 × 256", r"\(256 \times 256\)"),
];

/// The sizes a row states, `d = 16` and `n = 8`, which [`set`] writes as
/// formulas.
const SIZES: [&str; 2] = ["d = ", "n = "];

/// A row's name in the table's TeX ([`NOTATION`], and each of [`SIZES`]
/// with its number as one formula).
fn set(what: &str) -> String {
    let mut what = NOTATION
        .iter()
        .fold(what.to_string(), |w, (plain, tex)| w.replace(plain, tex));
    for size in SIZES {
        // Sizes not already inside a formula of [`NOTATION`].
        let outside = |at: &usize| {
            let before = &what[..*at];
            before.matches(r"\(").count() == before.matches(r"\)").count()
        };
        if let Some(at) = what.find(size).filter(outside) {
            let rest = &what[at + size.len()..];
            let digits = rest.len()
                - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let end = at + size.len() + digits;
            what = format!(
                r"{}\({}\){}",
                &what[..at],
                &what[at..end],
                &what[end..]
            );
        }
    }
    what
}

/// A row's name as [`set`] wrote it, read back as plain text.
fn unset(what: &str) -> String {
    let what = NOTATION
        .iter()
        .rev()
        .fold(what.to_string(), |w, (plain, tex)| w.replace(tex, plain));
    what.replace(r"\(", "").replace(r"\)", "")
}

/// A ratio measured in the same benchmark run, with the largest value the
/// book allows for it (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    /// What is divided by what, e.g. `"affine backward ÷ its two products"`.
    pub label: String,
    /// The measured ratio of median times.
    pub value: f64,
    /// The bound the book states, if it states one.
    pub limit: Option<f64>,
}

/// The rows of the appendix's table besides ReLU: what was timed, and the
/// benchmark `group/id` that timed it.
const ROWS: [(&str, &str); 8] = [
    (
        "affine backward, (d, m, n) = (512, 512, 512)",
        "affine_backward_512/backward",
    ),
    (
        "dY·Xᵀ and Wᵀ·dY alone, same sizes",
        "affine_backward_512/two_products",
    ),
    (
        "affine dX, 32 → 32 layer, n = 8, shortcut Wᵀ·dY",
        "affine_dx_32x32_n8/shortcut",
    ),
    (
        "affine dX, same, explicit 256 × 256 Jacobian",
        "affine_dx_32x32_n8/explicit_jacobian",
    ),
    (
        "convolution backward, naive loops",
        "conv_backward/naive_backward",
    ),
    (
        "convolution backward, im2col, from X_col kept by the forward pass",
        "conv_backward/cols_backward",
    ),
    (
        "convolution backward, im2col, building X_col again from x",
        "conv_backward/im2col_backward",
    ),
    (
        "im2col backward’s matrix products alone",
        "conv_backward/im2col_products",
    ),
];

/// ReLU backward at one size `d`: the median times (ns) of the mask and of
/// the explicit Jacobian, and their peak memory (bytes) if recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Relu {
    pub d: usize,
    pub mask: f64,
    pub jacobian: f64,
    pub mask_peak: Option<u64>,
    pub jacobian_peak: Option<u64>,
}

/// What one run of `cargo bench -p backprop-benches --bench backward` measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    /// ReLU backward at each of [`RELU_SIZES`].
    pub relu: Vec<Relu>,
    /// The other timings, `(what, ns)`, for the benchmarks that ran.
    pub rows: Vec<(&'static str, f64)>,
    /// The ratios the book bounds, and one it only shows.
    pub ratios: Vec<Ratio>,
}

impl Measured {
    /// Reads criterion's medians from `criterion` (a `target/criterion`
    /// directory: `<group>/<id>/new/estimates.json`) and the ReLU peak
    /// memory from `relu_backward/peak-bytes.tsv` there. Names the first
    /// missing benchmark.
    pub fn read(criterion: &Path) -> Result<Measured, String> {
        let median = |id: &str| {
            let path = criterion.join(id).join("new/estimates.json");
            std::fs::read_to_string(path)
                .ok()
                .and_then(|t| median_ns(&t))
        };
        let need = |id: &str| {
            median(id).ok_or_else(|| {
                format!("no results for {id} in {}", criterion.display())
            })
        };
        let tsv = std::fs::read_to_string(
            criterion.join("relu_backward/peak-bytes.tsv"),
        )
        .unwrap_or_default();
        let peak = |method: &str, n: usize| {
            tsv.lines().find_map(|l| {
                match l.split('\t').collect::<Vec<_>>()[..] {
                    [m, size, b] if m == method && size == n.to_string() => {
                        b.parse().ok()
                    }
                    _ => None,
                }
            })
        };
        let mut relu = Vec::new();
        for d in RELU_SIZES {
            relu.push(Relu {
                d,
                mask: need(&format!("relu_backward/mask/{d}"))?,
                jacobian: need(&format!(
                    "relu_backward/explicit_jacobian/{d}"
                ))?,
                mask_peak: peak("mask", d),
                jacobian_peak: peak("explicit_jacobian", d),
            });
        }
        let mut ratios = vec![Ratio {
            label: "affine backward ÷ its two products".into(),
            value: need("affine_backward_512/backward")?
                / need("affine_backward_512/two_products")?,
            limit: Some(1.15),
        }];
        if let (Some(cols), Some(x), Some(products)) = (
            median("conv_backward/cols_backward"),
            median("conv_backward/im2col_backward"),
            median("conv_backward/im2col_products"),
        ) {
            // The bound is on the backward pass proper, from the X_col that
            // the forward pass built; rebuilding X_col from x is shown beside.
            ratios.push(Ratio {
                label: "im2col backward from X_col ÷ its products".into(),
                value: cols / products,
                limit: Some(1.5),
            });
            ratios.push(Ratio {
                label: "im2col backward from x ÷ its products".into(),
                value: x / products,
                limit: None,
            });
        }
        let rows = ROWS
            .iter()
            .filter_map(|&(what, id)| median(id).map(|ns| (what, ns)))
            .collect();
        Ok(Measured { relu, rows, ratios })
    }

    /// The appendix's table, its caption naming the `machine`.
    pub fn table(&self, machine: &str) -> String {
        // A number and its unit are tied by a no-break space.
        let tie = |label: String| label.replacen(' ', "&nbsp;", 1);
        let peak = |b: Option<u64>| {
            b.map_or("?".into(), |b| tie(with_unit(b as f64, &SIZE)))
        };
        let duration = |ns: f64| tie(duration(ns));
        let mut rows = Vec::new();
        for r in &self.relu {
            let what = format!("ReLU backward, d = {}, mask", r.d);
            rows.push((what, duration(r.mask), peak(r.mask_peak)));
            let what = format!("ReLU backward, d = {}, explicit Jacobian", r.d);
            rows.push((what, duration(r.jacobian), peak(r.jacobian_peak)));
        }
        for &(what, ns) in &self.rows {
            rows.push((what.to_string(), duration(ns), String::new()));
        }
        for r in &self.ratios {
            let bound = r
                .limit
                .map_or(String::new(), |l| format!(" (at most {l:.2})"));
            let value = format!("{:.2}{bound}", r.value);
            rows.push((format!("ratio: {}", r.label), value, String::new()));
        }
        let body: String = rows
            .iter()
            .map(|(a, b, c)| {
                let a = set(a);
                format!("<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>\n")
            })
            .collect();
        format!(
            "<table class=\"lg-measured\">\n<caption>Median time per call on {machine}, measured by criterion.</caption>\n<thead><tr><th>what</th><th>time</th><th>peak memory</th></tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"
        )
    }

    /// What a table written by [`Measured::table`] states, at the precision
    /// it prints, and the machine its caption names. The chart is drawn
    /// from these numbers, so that it shows what the table says and can be
    /// redrawn from the committed table alone.
    pub fn from_table(html: &str) -> Result<(Measured, String), String> {
        let caption = html.split_once("time per call on ").map(|c| c.1);
        let machine =
            caption.and_then(|c| c.split_once(", measured by criterion"));
        let machine = machine.ok_or("the table has no caption")?.0.to_string();
        let mut m = Measured::default();
        let rows = html.lines().filter_map(|l| l.strip_prefix("<tr><td>"));
        for row in rows.map(unset) {
            let bad = || format!("cannot read the table row {row}");
            let cells: Vec<&str> = row
                .trim_end_matches("</td></tr>")
                .split("</td><td>")
                .collect();
            let [what, value, peak] = cells[..] else {
                return Err(bad());
            };
            let (value, peak) =
                (value.replace("&nbsp;", " "), peak.replace("&nbsp;", " "));
            let (value, peak) = (value.as_str(), peak.as_str());
            let ns = scaled(value, &TIME);
            let peak = scaled(peak, &SIZE).map(|b| b as u64);
            let relu = what
                .strip_prefix("ReLU backward, d = ")
                .and_then(|w| w.split_once(", "));
            if let Some(label) = what.strip_prefix("ratio: ") {
                let (value, limit) =
                    value.split_once(" (at most ").unwrap_or((value, ""));
                m.ratios.push(Ratio {
                    label: label.to_string(),
                    value: value.parse().map_err(|_| bad())?,
                    limit: limit.trim_end_matches(')').parse().ok(),
                });
            } else if let (Some((d, "mask")), Some(mask)) = (relu, ns) {
                let d = d.parse().map_err(|_| bad())?;
                let (jacobian, mask_peak, jacobian_peak) =
                    (f64::NAN, peak, None);
                m.relu.push(Relu {
                    d,
                    mask,
                    jacobian,
                    mask_peak,
                    jacobian_peak,
                });
            } else if let (Some(r), Some(_), Some(ns)) =
                (m.relu.last_mut(), relu, ns)
            {
                (r.jacobian, r.jacobian_peak) = (ns, peak);
            } else {
                let known =
                    ROWS.iter().find(|r| r.0 == what).ok_or_else(bad)?;
                m.rows.push((known.0, ns.ok_or_else(bad)?));
            }
        }
        Ok((m, machine))
    }

    /// The ratios above the bound the book states for them.
    pub fn over_limit(&self) -> Vec<&Ratio> {
        let over = |r: &&Ratio| r.limit.is_some_and(|l| r.value > l);
        self.ratios.iter().filter(over).collect()
    }
}

/// Width of the figure, and the height of its upper (ReLU) plot and of one
/// ratio's row below it, in SVG user units (pixels at natural size).
const WIDTH: u32 = 408;
const PLOT_HEIGHT: u32 = 300;
const RATIO_ROW: u32 = 70;
/// Font sizes as plotters takes them; it writes `size / 1.24` into the SVG,
/// so 17 keeps every text above the book's 13-pixel minimum.
const SMALL: u32 = 17;
const HEAD: u32 = 19;
/// The half-width of a series' markers (a dot's radius, half a square's
/// side), the gap from the last marker to the series' label, and the room
/// right of the plot for the labels, in user units.
const MARKER: f64 = 4.0;
const LABEL_GAP: f64 = 6.0;
const LABEL_ROOM: u32 = 44;
/// The mask and the Jacobian's colours (blue and orange), which every theme
/// sets ([`super::network`]).
const MASK: RGBColor = SERIES[1];
const JACOBIAN: RGBColor = SERIES[0];

/// The appendix figure: ReLU backward time against `d` on log-log axes for
/// the mask and the explicit Jacobian, and below it one bar per [`Ratio`]
/// with its limit marked.
pub fn jacobian_costs(measured: &Measured) -> String {
    let (relu, ratios) = (&measured.relu, &measured.ratios);
    let height = PLOT_HEIGHT + 30 + 60 + RATIO_ROW * ratios.len() as u32;
    let mut raw = String::new();
    {
        // No background: the page shows through, in every theme.
        let root = SVGBackend::with_string(&mut raw, (WIDTH, height))
            .into_drawing_area();
        let (upper, lower) = root.split_vertically(PLOT_HEIGHT);
        relu_plot(&upper, relu);
        ratio_bars(&lower, ratios);
        root.present().expect("plotters: present");
    }
    let points: Vec<String> = relu
        .iter()
        .map(|r| {
            format!(
                "d = {}: mask {}, Jacobian {}",
                r.d,
                duration(r.mask),
                duration(r.jacobian)
            )
        })
        .collect();
    let bars: Vec<String> = ratios
        .iter()
        .map(|r| match r.limit {
            Some(limit) => {
                format!("{}: {:.2} (limit {limit:.2})", r.label, r.value)
            }
            None => format!("{}: {:.2}", r.label, r.value),
        })
        .collect();
    let desc = format!(
        "Log-log plot of ReLU backward time per call against d, the number of entries of x. {}. Ratios: {}.",
        points.join("; "),
        bars.join("; ").replace("X_col", "X col")
    );
    let title = "What the Jacobian costs, measured";
    inline(&raw, (WIDTH, height), "jacobian-costs", title, &desc)
}

/// The log-log plot, drawn in (log₂ d, log₁₀ ns) so that the ticks fall on
/// the measured sizes and on whole decades of time.
fn relu_plot(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    relu: &[Relu],
) {
    let log_d = |d: usize| (d as f64).log2();
    let (first, last) = match (relu.first(), relu.last()) {
        (Some(a), Some(b)) if b.d > a.d => (log_d(a.d), log_d(b.d)),
        _ => (4.0, 12.0),
    };
    // The ticks fall on the measured sizes; the axis runs half a step
    // (between two sizes) past the first and the last, so that no marker
    // sits on the y axis or at the end of the x axis.
    let half_step = (last - first) / (relu.len().max(2) - 1) as f64 / 2.0;
    let (x_lo, x_hi) = (first - half_step, last + half_step);
    let times = relu
        .iter()
        .flat_map(|r| [r.mask.log10(), r.jacobian.log10()]);
    let y_lo = times.clone().fold(f64::INFINITY, f64::min).floor();
    let y_hi = times.fold(f64::NEG_INFINITY, f64::max).ceil();
    let (y_lo, y_hi) = if y_hi > y_lo {
        (y_lo, y_hi)
    } else {
        (2.0, 9.0)
    };
    // The title above the margin, so that the top tick label keeps clear.
    let title = ("sans-serif", HEAD);
    let area = area
        .titled("ReLU backward, time per call", title)
        .expect("plotters: title");
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .margin_right(LABEL_ROOM)
        .x_label_area_size(52)
        .y_label_area_size(68)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .expect("plotters: chart");
    chart
        .configure_mesh()
        .x_labels(relu.len())
        .y_labels((y_hi - y_lo) as usize + 1)
        .x_label_formatter(&|v| format!("{}", 2f64.powf(*v).round()))
        .y_label_formatter(&|v| duration(10f64.powf(*v)))
        .x_desc("$d$, entries of $x$ (log scale)")
        .label_style(("sans-serif", SMALL))
        .axis_desc_style(("sans-serif", SMALL))
        .disable_mesh()
        .draw()
        .expect("plotters: mesh");
    for (name, colour, pick) in [("mask", MASK, 1), ("Jacobian", JACOBIAN, 2)] {
        let points: Vec<(f64, f64)> = relu
            .iter()
            .map(|r| {
                (
                    log_d(r.d),
                    if pick == 1 { r.mask } else { r.jacobian }.log10(),
                )
            })
            .collect();
        let style = colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.clone(), style))
            .expect("plotters: line");
        // Circles for the mask, squares for the Jacobian.
        chart
            .draw_series(points.iter().map(|&p| {
                let r = MARKER as i32;
                let mark: DynElement<_, _> = if pick == 1 {
                    Circle::new((0, 0), r, colour.filled()).into_dyn()
                } else {
                    Rectangle::new([(-r, -r), (r, r)], colour.filled())
                        .into_dyn()
                };
                EmptyElement::at(p) + mark
            }))
            .expect("plotters: points");
        if let Some(&last) = points.last() {
            // LABEL_GAP from the marker's edge to the label's ink, whatever
            // its first letter (the hook of "J" reaches back past its origin).
            let size = f64::from(SMALL) / 1.24;
            let start = MARKER + LABEL_GAP - ink_start(name) * size;
            let at = (start.round() as i32, -9);
            let label = Text::new(name, at, ("sans-serif", SMALL));
            chart
                .draw_series([EmptyElement::at(last) + label])
                .expect("plotters: label");
        }
    }
}

/// Where the ink of a word set in the page's font (Open Sans) begins, in
/// em after its origin: its first letter's left side bearing, as Chromium
/// measures it (to 0.01 em). A hooked `J` or `j` reaches back before its
/// origin; a letter with a stem at its left (`m`, `B`) starts well after
/// it; a diagonal (`A`, `v`) or a crossbar (`T`, `f`) starts at it.
pub fn ink_start(word: &str) -> f64 {
    match word.chars().next() {
        Some('J') => -0.08,
        Some('j') => -0.06,
        Some(
            'A' | 'T' | 'V' | 'W' | 'X' | 'Y' | 'f' | 't' | 'v' | 'w' | 'y',
        ) => 0.0,
        Some('g' | 'x' | '4') => 0.02,
        Some(
            'B' | 'D' | 'E' | 'F' | 'H' | 'I' | 'K' | 'L' | 'M' | 'N' | 'P'
            | 'R',
        ) => 0.09,
        Some(
            'U' | 'b' | 'h' | 'i' | 'k' | 'l' | 'm' | 'n' | 'p' | 'r' | 'u'
            | '1',
        ) => 0.08,
        Some('Z' | 'a' | 'z' | '3' | '7') => 0.03,
        _ => 0.05,
    }
}

/// How a ratio's label is set in the chart: its `X_col` and `x` as the
/// page sets them (see [`super::svg::math`]).
fn chart_label(label: &str) -> String {
    label.replace("X_col", "$X_{col}$").replace(" x ", " $x$ ")
}

/// One bar per ratio, on a common scale that starts at 0, with an axis
/// under them; each bar (a tint of the mask's colour, outlined in it) has
/// its name above it and its value written inside its end. A bound the book
/// sets is a dashed line across the bar's row at its value, labelled
/// beside it (after the line when the bar stops short of it, else under
/// the bar), and named once in a legend.
fn ratio_bars(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    ratios: &[Ratio],
) {
    let scale_max = ratios
        .iter()
        .flat_map(|r| [r.value, r.limit.unwrap_or(0.0)])
        .fold(1.0, f64::max)
        * 1.25;
    let scale_max = (scale_max * 4.0).ceil() / 4.0;
    let rows = ratios.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption("Ratios of median times, same run", ("sans-serif", HEAD))
        .margin(12)
        .margin_right(20)
        .x_label_area_size(48)
        .build_cartesian_2d(0.0..scale_max, 0.2..rows)
        .expect("plotters: chart");
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_labels((scale_max / 0.25) as usize + 1)
        .x_label_formatter(&|v| {
            format!("{v:.2}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .x_desc("time ÷ time of the products alone")
        .label_style(("sans-serif", SMALL))
        .axis_desc_style(("sans-serif", SMALL))
        .draw()
        .expect("plotters: axis");
    let font = ("sans-serif", SMALL).into_font();
    let at = |h, v| TextStyle::from(font.clone()).pos(Pos::new(h, v));
    let limit_style = JACOBIAN.stroke_width(2);
    for (i, r) in ratios.iter().enumerate() {
        // Row i from the top: its name, then its bar.
        let y = rows - i as f64;
        let (bar_top, bar_bottom) = (y - 0.32, y - 0.68);
        let middle = (bar_top + bar_bottom) / 2.0;
        let corners = [(0.0, bar_top), (r.value, bar_bottom)];
        chart
            .draw_series([
                Rectangle::new(corners, TINT[1].filled()),
                Rectangle::new(corners, MASK.stroke_width(1)),
            ])
            .expect("plotters: bar");
        let mut texts = vec![
            EmptyElement::at((0.0, y - 0.05))
                + Text::new(chart_label(&r.label), (0, 0), font.clone()),
            // Anchored at its start (estimated from the book's font), as
            // an end-anchored number would be taken for a tick label.
            EmptyElement::at((r.value, middle)) + {
                let value = format!("{:.2}", r.value);
                let width =
                    super::text_width(&value) * f64::from(SMALL) / 1.24 / 14.0;
                let start = -6 - width.ceil() as i32;
                Text::new(value, (start, 0), at(HPos::Left, VPos::Center))
            },
        ];
        if let Some(limit) = r.limit {
            let (top, bottom) = (bar_top + 0.06, bar_bottom - 0.06);
            let ends = [(limit, top), (limit, bottom)];
            let line = plotters::element::DashedPathElement::new(
                ends,
                5,
                3,
                limit_style,
            );
            chart.draw_series([line]).expect("plotters: limit");
            let label = format!("limit {limit:.2}");
            texts.push(if r.value < limit {
                EmptyElement::at((limit, middle))
                    + Text::new(label, (6, 0), at(HPos::Left, VPos::Center))
            } else {
                EmptyElement::at((limit, bottom))
                    + Text::new(label, (0, 2), at(HPos::Center, VPos::Top))
            });
        }
        chart.draw_series(texts).expect("plotters: text");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_read_from_criterion_estimates() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.5},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":4.0,"upper_bound":6.0},"point_estimate":222.5,"standard_error":0.1},"slope":null}"#;
        assert_eq!(median_ns(json), Some(222.5));
        assert_eq!(median_ns(r#"{"median":{"point_estimate":7}}"#), Some(7.0));
        assert_eq!(median_ns(r#"{"mean":{"point_estimate":2.0}}"#), None);
        assert_eq!(median_ns("not json"), None);
    }

    #[test]
    fn durations_and_byte_counts_get_their_unit() {
        for (ns, want) in [
            (205.3, "205 ns"),
            (3864.7, "3.9 µs"),
            (2.3e8, "230 ms"),
            (1.0e9, "1 s"),
            (1.0e3, "1 µs"),
            (1.0e6, "1 ms"),
            (1.5e6, "1.5 ms"),
        ] {
            assert_eq!(duration(ns), want, "duration({ns})");
        }
        for (b, want) in [
            (188, "188 B"),
            (2176, "2.1 KiB"),
            (32828, "32 KiB"),
            (134_250_496, "128 MiB"),
        ] {
            assert_eq!(with_unit(b as f64, &SIZE), want, "{b} bytes");
        }
    }

    /// A criterion directory with every benchmark the appendix reads, each
    /// with the median `ns(id)`, and the ReLU peak memory.
    fn fixture(name: &str, ns: impl Fn(&str) -> f64) -> std::path::PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("lg-costs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut ids: Vec<String> =
            ROWS.iter().map(|r| r.1.to_string()).collect();
        for n in RELU_SIZES {
            ids.push(format!("relu_backward/mask/{n}"));
            ids.push(format!("relu_backward/explicit_jacobian/{n}"));
        }
        for id in ids {
            let at = dir.join(&id).join("new");
            std::fs::create_dir_all(&at).unwrap();
            let json = format!(
                r#"{{"mean":{{"point_estimate":1.0}},"median":{{"point_estimate":{}}}}}"#,
                ns(&id)
            );
            std::fs::write(at.join("estimates.json"), json).unwrap();
        }
        std::fs::write(
            dir.join("relu_backward/peak-bytes.tsv"),
            "mask\t16\t188\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn the_appendix_is_drawn_from_criterions_results() {
        let dir = fixture("all", |id| match id {
            "affine_backward_512/backward" => 1.2e7,
            "affine_backward_512/two_products" => 1.0e7,
            "conv_backward/cols_backward" => 4.4e6,
            "conv_backward/im2col_products" => 4.0e6,
            _ if id.starts_with("relu_backward/explicit") => 3.0e4,
            _ => 250.0,
        });
        let measured = Measured::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let first = &measured.relu[0];
        assert_eq!((first.d, first.mask, first.jacobian), (16, 250.0, 3.0e4));
        assert_eq!((first.mask_peak, first.jacobian_peak), (Some(188), None));
        assert_eq!(measured.rows.len(), ROWS.len());
        let values: Vec<String> = measured
            .ratios
            .iter()
            .map(|r| format!("{:.2}", r.value))
            .collect();
        assert_eq!(values, ["1.20", "1.10", "0.00"]);
        // 1.20 is above the bound 1.15, and only that one.
        let over: Vec<&str> = measured
            .over_limit()
            .iter()
            .map(|r| r.label.as_str())
            .collect();
        assert_eq!(over, ["affine backward ÷ its two products"]);
        let table = measured.table("a test machine");
        assert!(table.contains("on a test machine, measured"), "{table}");
        assert!(
            table.contains(
                r"<td>ReLU backward, \(d = 16\), mask</td><td>250&nbsp;ns</td><td>188&nbsp;B</td>"
            ),
            "{table}"
        );
        // Every row's mathematics is set in the book's notation.
        for plain in ["ᵀ", "X_col", "·", "backward, d = ", "from x<", " → "]
        {
            assert!(
                !table.contains(plain),
                "the table still writes {plain:?}: {table}"
            );
        }
        assert!(table.contains(r"\(\dd Y\, X^\top\)"), "{table}");
        assert!(table.contains("<td>1.20 (at most 1.15)</td>"), "{table}");
        // The chart is drawn from what the table states.
        let (stated, machine) = Measured::from_table(&table).unwrap();
        assert_eq!(
            (stated.table(&machine), stated.rows.len()),
            (table.clone(), ROWS.len())
        );

        let svg = jacobian_costs(&measured);
        assert!(
            svg.contains("d = 4096: mask 250 ns, Jacobian 30 µs"),
            "{svg}"
        );
        assert!(svg.contains("its two products: 1.20 (limit 1.15)"), "{svg}");
        for label in [
            "limit 1.15",
            "1.20",
            "mask",
            "Jacobian",
            "100 ns",
            "100 µs",
            "4096",
        ] {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "no text {label}: {svg}"
            );
        }
    }

    #[test]
    fn a_missing_benchmark_is_named() {
        let dir = fixture("missing", |_| 100.0);
        std::fs::remove_dir_all(dir.join("relu_backward/mask/64")).unwrap();
        let err = Measured::read(&dir).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            err.contains("no results for relu_backward/mask/64"),
            "{err}"
        );
    }
}
