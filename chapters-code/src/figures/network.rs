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
use super::svg::escape;
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

/// Class colours (Okabe–Ito orange, sky blue, bluish green), readable by
/// colour-blind readers, with a light tint of each for the regions.
const CLASS: [RGBColor; 3] = [
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0x00, 0x9e, 0x73),
];
const TINT: [RGBColor; 3] = [
    RGBColor(0xfb, 0xde, 0xc6),
    RGBColor(0xcc, 0xe4, 0xf3),
    RGBColor(0xc6, 0xef, 0xe2),
];

/// Width and height of the loss plot and of the (square) region plot, in
/// SVG user units.
const LOSS_SIZE: (u32, u32) = (600, 400);
const REGION_SIZE: (u32, u32) = (480, 460);

/// plotters' SVG as a figure to inline: no indentation, no blank lines, the
/// book's accessible header, and a class that lets it shrink with the page.
pub(crate) fn inline(raw: &str, (w, h): (u32, u32), id: &str, title: &str, desc: &str) -> String {
    let mut lines = raw.lines().map(str::trim).filter(|l| !l.is_empty());
    let open = lines.next().expect("plotters wrote an <svg> element");
    assert!(open.starts_with("<svg"), "figures: unexpected start {open}");
    let mut out = vec![
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lg-svg lg-plot\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" style=\"max-width:100%;height:auto;--lg-natural-width:{w}px\" font-family=\"sans-serif\">"
        ),
        format!("<title id=\"{id}-title\">{}</title>", escape(title)),
        format!("<desc id=\"{id}-desc\">{}</desc>", escape(desc)),
    ];
    // plotters puts a <text> element's words on lines of their own: join
    // every line that does not start an element onto the line before.
    for line in lines {
        match out.last_mut() {
            Some(prev)
                if !(line.starts_with('<') && prev.ends_with('>')) || line.starts_with("</") =>
            {
                prev.push_str(line)
            }
            _ => out.push(line.to_string()),
        }
    }
    // An axis's tick label (a text that is only a number) is a scale, not
    // a claim: mark it so that the number checks leave it alone.
    for line in &mut out {
        if is_tick(line) {
            *line = line.replacen("<text ", "<text class=\"lg-tick\" ", 1);
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Whether a line is a whole `<text>` element whose text is one number
/// (`0.4`, `−1.0`, `1000`): an axis's tick label.
fn is_tick(line: &str) -> bool {
    let Some(body) = line
        .strip_suffix("</text>")
        .and_then(|l| l.rsplit_once('>'))
        .map(|(_, t)| t)
    else {
        return false;
    };
    let body = body.strip_prefix(super::format::MINUS).unwrap_or(body);
    !body.is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Renders a plot into an SVG string with plotters.
fn plot(
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<SVGBackend, plotters::coord::Shift>),
) -> String {
    let mut raw = String::new();
    {
        let root = SVGBackend::with_string(&mut raw, size).into_drawing_area();
        root.fill(&WHITE).expect("plotters: fill");
        draw(root.clone());
        root.present().expect("plotters: present");
    }
    raw
}

/// The loss before step `k`, every `every` steps (and the last).
fn sampled(losses: &[f64], every: usize) -> Vec<(usize, f64)> {
    let mut points: Vec<(usize, f64)> = losses.iter().copied().enumerate().step_by(every).collect();
    let last = losses.len() - 1;
    if points.last().map(|p| p.0) != Some(last) {
        points.push((last, losses[last]));
    }
    points
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
            .build_cartesian_2d((1usize..SPIRAL_TRAINING.steps).log_scale(), 0.0..1.2)
            .expect("plotters: chart");
        chart
            .configure_mesh()
            .x_desc("step (log scale)")
            .y_desc("loss")
            .label_style(("sans-serif", 17))
            .axis_desc_style(("sans-serif", 18))
            .max_light_lines(0)
            .draw()
            .expect("plotters: mesh");
        // Plot step k + 1 so that the first step sits at 1 on the log axis,
        // and thin the points to about one per pixel.
        let mut shown: Vec<(usize, f64)> = Vec::new();
        let mut last_px = i32::MIN;
        for &(k, l) in &points {
            let px = chart.backend_coord(&(k + 1, l)).0;
            if px != last_px {
                shown.push((k + 1, l));
                last_px = px;
            }
        }
        chart
            .draw_series(LineSeries::new(shown, CLASS[1].stroke_width(2)))
            .expect("plotters: line");
        let ln3 = 3f64.ln();
        chart
            .draw_series(LineSeries::new(
                [(1, ln3), (SPIRAL_TRAINING.steps, ln3)],
                BLACK.mix(0.35),
            ))
            .expect("plotters: line");
        chart
            .draw_series(std::iter::once(Text::new(
                "ln 3: guessing",
                (2, ln3 - 0.04),
                ("sans-serif", 17),
            )))
            .expect("plotters: text");
    });
    let at = |k: usize| losses[k];
    let rises: Vec<usize> = (1..losses.len())
        .filter(|&k| losses[k] > losses[k - 1] + 0.01)
        .collect();
    let bumps = match (rises.first(), rises.last()) {
        (Some(a), Some(b)) => format!(
            " On the way it is not monotone: between steps {a} and {b} a few steps overshoot and the loss jumps up briefly before it drops again."
        ),
        _ => String::new(),
    };
    let desc = format!(
        "A line plot of the training loss against the step number, on a logarithmic step axis from 1 to 10,000. The loss starts at {:.3}, close to ln 3 = {:.3} (marked by a grey line), which is the loss of a network that gives each of the three classes probability one third. It falls to {:.3} by step 100 and {:.3} by step 1,000, then flattens out and ends at {:.3} after step 10,000.{bumps}",
        at(0),
        3f64.ln(),
        at(100),
        at(1000),
        at(losses.len() - 1),
    );
    inline(
        &raw,
        LOSS_SIZE,
        "spiral-loss",
        "Training loss of the two-layer network on the spiral",
        &desc,
    )
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

/// Figure `spiral-regions.svg`: the plane coloured by the class that the
/// trained network predicts (a 120 × 120 grid, runs of equal cells merged
/// into one rectangle), with the 300 training points on top as circles,
/// triangles and squares, one shape per arm.
pub fn spiral_regions() -> String {
    let SpiralRun { x, labels, net, .. } = run();
    let (cells, lim) = (120, 1.1);
    let grid = regions(net, cells, lim);
    let step = 2.0 * lim / cells as f64;
    let accuracy = net.accuracy(x, labels);
    let raw = plot(REGION_SIZE, |root| {
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(-lim..lim, -lim..lim)
            .expect("plotters: chart");
        chart
            .configure_mesh()
            .disable_mesh()
            .label_style(("sans-serif", 17))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .draw()
            .expect("plotters: mesh");
        for (r, row) in grid.iter().enumerate() {
            let y0 = -lim + r as f64 * step;
            let mut start = 0;
            while start < row.len() {
                let class = row[start];
                let end = (start..row.len())
                    .find(|&c| row[c] != class)
                    .unwrap_or(row.len());
                let x0 = -lim + start as f64 * step;
                let x1 = -lim + end as f64 * step;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y0), (x1, y0 + step)],
                        TINT[class].filled(),
                    )))
                    .expect("plotters: region");
                start = end;
            }
        }
        for (k, &label) in labels.iter().enumerate() {
            let p = (x[[0, k]], x[[1, k]]);
            let style = CLASS[label].filled();
            let outline = WHITE.stroke_width(1);
            match label % 3 {
                0 => {
                    chart
                        .draw_series([Circle::new(p, 4, style), Circle::new(p, 4, outline)])
                        .expect("plotters: point");
                }
                1 => {
                    chart
                        .draw_series([TriangleMarker::new(p, 5, style)])
                        .expect("plotters: point");
                }
                _ => {
                    // A square of 8 × 8 pixels centred on the point.
                    let square = EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], style);
                    chart.draw_series([square]).expect("plotters: point");
                }
            }
        }
    });
    let shares: Vec<String> = (0..3)
        .map(|c| {
            let n = grid.iter().flatten().filter(|&&g| g == c).count();
            format!("{:.0}%", 100.0 * n as f64 / (cells * cells) as f64)
        })
        .collect();
    let desc = format!(
        "The square from −1.1 to 1.1 in both coordinates, coloured by the class that the trained network predicts at each point: three interleaved spiral-shaped regions, orange, blue and green, that wind out from the centre and cover about {}, {} and {} of the square. On top, the 300 training points: three spiral arms of 100 points each, orange circles, blue triangles and green squares. The network classifies {:.1}% of them correctly; the few mistakes sit where two noisy arms touch near the centre.",
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
    fn plots_inline_cleanly() {
        for svg in [spiral_loss(), spiral_regions()] {
            assert!(
                !svg.contains("\n\n"),
                "a blank line would end the HTML block"
            );
            assert!(
                svg.lines().all(|l| l.starts_with('<')),
                "indented or broken line"
            );
            assert!(svg.starts_with(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lg-svg lg-plot\" role=\"img\""
            ));
            assert_eq!(svg.matches("<title id=").count(), 1);
            assert!(svg.ends_with("</svg>\n"));
            assert!(!svg.contains("−0.0<"), "a negative zero tick");
            assert!(svg.contains("<text class=\"lg-tick\""), "no tick marked");
        }
        assert!(spiral_loss().contains(">ln 3: guessing<"));
    }

    #[test]
    fn regions_match_the_networks_predictions() {
        let SpiralRun { x, labels, net, .. } = run();
        // At the training points, the region's class is the prediction, so
        // the share of points inside their own region is the accuracy.
        let cells = 400;
        let grid = regions(net, cells, 1.1);
        let cell = |v: f64| (((v + 1.1) / 2.2 * cells as f64) as usize).min(cells - 1);
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
