//! The autograd chapter's figures, drawn with plotters (SVG backend only)
//! from the cached run of the digits network ([`Run::cached`]): the
//! learned filters, the test digits it gets wrong, and the loss and test
//! accuracy per epoch. Nothing is trained here.
//!
//! The filters and the digits are grids of squares, each filled with a
//! theme colour at an opacity that grows with the number it shows: the
//! page's text colour for a pixel's ink, the first series colour (orange)
//! for a positive weight and the second (blue) for a negative one.

use super::network::{inline, SERIES};
use crate::digits::{self, Digits, Run, SPLIT_SEED, TEST_IMAGES};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The drawing area of a plot being drawn.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Font sizes, in user units: the labels, and the small print.
const LABEL: u32 = 18;
const SMALL: u32 = 17;

/// Renders a drawing of `size` into plotters' SVG.
fn plot(size: (u32, u32), draw: impl FnOnce(&Area)) -> String {
    let mut raw = String::new();
    {
        // No background: the page shows through, in every theme.
        let root = SVGBackend::with_string(&mut raw, size).into_drawing_area();
        draw(&root);
        root.present().expect("plotters: present");
    }
    raw
}

/// A square of side `side` at `(x, y)` (its top-left corner), in `colour`
/// at `opacity`, rounded to steps of 1/16 so that the SVG stays short.
fn square(
    area: &Area,
    (x, y): (i32, i32),
    side: i32,
    colour: RGBColor,
    opacity: f64,
) {
    let alpha = (opacity.clamp(0.0, 1.0) * 16.0).round() / 16.0;
    if alpha > 0.0 {
        let style = colour.mix(alpha).filled();
        let cell = Rectangle::new([(x, y), (x + side, y + side)], style);
        area.draw(&cell).expect("plotters: square");
    }
}

/// A thin outline around a grid of `cells` × `cells` squares of `side`.
fn frame(area: &Area, (x, y): (i32, i32), cells: i32, side: i32) {
    let edge = cells * side;
    let style = BLACK.mix(0.35).stroke_width(1);
    let outline = Rectangle::new([(x, y), (x + edge, y + edge)], style);
    area.draw(&outline).expect("plotters: frame");
}

/// Text at `(x, y)`, centred on `x`, its baseline at `y`.
fn centred(area: &Area, text: &str, (x, y): (i32, i32), size: u32) {
    let style = TextStyle::from(("sans-serif", size).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    area.draw(&Text::new(text.to_string(), (x, y), style))
        .expect("plotters: text");
}

/// The test images of the committed split.
fn test_images() -> Digits {
    digits::committed().split(TEST_IMAGES, SPLIT_SEED).1
}

/// The side of a weight's square in the filter figure, and the space
/// around each filter.
const FILTER_CELL: i32 = 16;
const FILTER_TILE: i32 = 80;
/// Filters per row.
const FILTERS_PER_ROW: i32 = 4;

/// The filter figure's size for `filters` filters.
fn filters_size(filters: usize) -> (u32, u32) {
    let rows = (filters as i32 + FILTERS_PER_ROW - 1) / FILTERS_PER_ROW;
    (
        (FILTERS_PER_ROW * FILTER_TILE + 40) as u32,
        (rows * FILTER_TILE + 56) as u32,
    )
}

/// Figure `digits-filters.svg`: the 16 learned 3 × 3 filters `W1`, each
/// weight a square, orange where it is positive and blue where it is
/// negative, more opaque the larger it is (the largest magnitude of all
/// the filters fully opaque).
pub fn digits_filters() -> String {
    let run = Run::cached();
    let w = run.net.filters();
    let (filters, _, q1, q2) = w.dim();
    let largest = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let size = filters_size(filters);
    let raw = plot(size, |root| {
        for f in 0..filters {
            let (row, col) =
                (f as i32 / FILTERS_PER_ROW, f as i32 % FILTERS_PER_ROW);
            let x =
                20 + col * FILTER_TILE + (FILTER_TILE - 3 * FILTER_CELL) / 2;
            let y =
                16 + row * FILTER_TILE + (FILTER_TILE - 3 * FILTER_CELL) / 2;
            for i in 0..q1 {
                for j in 0..q2 {
                    let v = w[[f, 0, i, j]];
                    let colour = if v >= 0.0 { SERIES[0] } else { SERIES[1] };
                    let at = (
                        x + j as i32 * FILTER_CELL,
                        y + i as i32 * FILTER_CELL,
                    );
                    square(root, at, FILTER_CELL, colour, v.abs() / largest);
                }
            }
            frame(root, (x, y), 3, FILTER_CELL);
        }
        let bottom = size.1 as i32 - 14;
        let legend = TextStyle::from(("sans-serif", SMALL).into_font());
        let (left, right) = (size.0 as i32 / 2 - 8, size.0 as i32 / 2 + 8);
        root.draw(&Text::new(
            "positive",
            (left, bottom),
            legend
                .clone()
                .color(&SERIES[0])
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        ))
        .expect("plotters: legend");
        root.draw(&Text::new(
            "negative",
            (right, bottom),
            legend
                .color(&SERIES[1])
                .pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))
        .expect("plotters: legend");
    });
    let positive = w.iter().filter(|&&v| v > 0.0).count();
    let desc = format!(
        "{filters} small grids of {q1} by {q2} squares, in {} rows of {FILTERS_PER_ROW}: the \
         filters of the convolution after training. Each square is one weight, orange where \
         it is positive ({positive} of the {} weights) and blue where it is negative, more \
         opaque the larger it is; the largest magnitude is {largest:.2}. Many filters are \
         positive on one side and negative on the other, detectors of edges in some direction.",
        (filters as i32 + FILTERS_PER_ROW - 1) / FILTERS_PER_ROW,
        w.len(),
    );
    inline(
        &raw,
        size,
        "digits-filters",
        "The 16 learned 3 × 3 filters of the digits network",
        &desc,
    )
}

/// "an" before a digit whose name starts with a vowel (8), "a" before
/// the others.
fn article(digit: usize) -> &'static str {
    if digit == 8 {
        "an"
    } else {
        "a"
    }
}

/// The side of a pixel's square in the figure of wrong digits, and the
/// size of each digit's tile.
const PIXEL: i32 = 7;
const DIGIT_TILE: (i32, i32) = (112, 118);
/// Digits per row.
const DIGITS_PER_ROW: i32 = 3;

/// Figure `digits-wrong.svg`: every test image the trained network gets
/// wrong, drawn in the page's text colour (ink where the pixel is dark),
/// with its label and the network's answer under it.
pub fn digits_wrong() -> String {
    let run = Run::cached();
    let test = test_images();
    let n = run.wrong.len() as i32;
    let rows = (n + DIGITS_PER_ROW - 1) / DIGITS_PER_ROW;
    let size = (
        (DIGITS_PER_ROW * DIGIT_TILE.0 + 24) as u32,
        (rows.max(1) * DIGIT_TILE.1 + 12) as u32,
    );
    let side = 8 * PIXEL;
    let raw = plot(size, |root| {
        for (k, w) in run.wrong.iter().enumerate() {
            let (row, col) =
                (k as i32 / DIGITS_PER_ROW, k as i32 % DIGITS_PER_ROW);
            let centre = 12 + col * DIGIT_TILE.0 + DIGIT_TILE.0 / 2;
            let (x, y) = (centre - side / 2, 12 + row * DIGIT_TILE.1);
            for i in 0..8 {
                for j in 0..8 {
                    let ink = test.images[[w.test_image, 0, i, j]];
                    let at = (x + j as i32 * PIXEL, y + i as i32 * PIXEL);
                    square(root, at, PIXEL, BLACK, ink);
                }
            }
            frame(root, (x, y), 8, PIXEL);
            let label = format!(
                "{} {}, read {}",
                article(w.label),
                w.label,
                w.predicted
            );
            centred(root, &label, (centre, y + side + 24), LABEL);
        }
    });
    let list: Vec<String> = run
        .wrong
        .iter()
        .map(|w| {
            format!("{} {} read as {}", article(w.label), w.label, w.predicted)
        })
        .collect();
    let desc = format!(
        "The {} of the {TEST_IMAGES} test images that the trained network gets wrong, each an \
         8 by 8 grid of grey squares with its label and the network's answer under it: {}.",
        run.wrong.len(),
        list.join(", ")
    );
    inline(
        &raw,
        size,
        "digits-wrong",
        "The test digits the trained network reads wrong",
        &desc,
    )
}

/// Width and height of the curves' figure, in user units, and the height
/// of its upper plot.
const CURVES_SIZE: (u32, u32) = (400, 500);
const UPPER: u32 = 240;

/// Figure `digits-curves.svg`: above, the mean training loss of each
/// epoch; below, the test accuracy after each epoch.
pub fn digits_curves() -> String {
    let run = Run::cached();
    let epochs = &run.epochs;
    let last = epochs.len();
    let loss: Vec<(f64, f64)> =
        epochs.iter().map(|e| (e.epoch as f64, e.loss)).collect();
    let accuracy: Vec<(f64, f64)> = epochs
        .iter()
        .map(|e| (e.epoch as f64, 100.0 * e.test_accuracy))
        .collect();
    let top_loss = loss.iter().map(|p| p.1).fold(0.0, f64::max);
    let low_accuracy = accuracy.iter().map(|p| p.1).fold(100.0, f64::min);
    let raw = plot(CURVES_SIZE, |root| {
        let (upper, lower) = root.split_vertically(UPPER);
        let panels = [
            (
                &upper,
                "mean training loss",
                loss.clone(),
                0.0,
                (top_loss * 1.1).max(0.1),
                0,
            ),
            (
                &lower,
                "test accuracy (%)",
                accuracy.clone(),
                (low_accuracy - 1.0).floor(),
                100.0,
                1,
            ),
        ];
        for (area, what, points, lo, hi, colour) in panels {
            let mut chart = ChartBuilder::on(area)
                .margin(12)
                .margin_right(24)
                .x_label_area_size(44)
                .y_label_area_size(60)
                .build_cartesian_2d(0.5..last as f64 + 0.5, lo..hi)
                .expect("plotters: chart");
            chart
                .configure_mesh()
                .x_desc("epoch")
                .y_desc(what)
                .x_labels(last + 1)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_labels(5)
                // Percentages as whole numbers (92, not 92.0), the loss with
                // one decimal, as the network chapter's plot.
                .y_label_formatter(&|v| {
                    if hi <= 1.0 {
                        format!("{v:.1}")
                    } else {
                        format!("{v:.0}")
                    }
                })
                .label_style(("sans-serif", SMALL))
                .axis_desc_style(("sans-serif", LABEL))
                .max_light_lines(0)
                .draw()
                .expect("plotters: mesh");
            let c = SERIES[colour];
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
                .expect("plotters: line");
            chart
                .draw_series(
                    points.iter().map(|&p| Circle::new(p, 4, c.filled())),
                )
                .expect("plotters: points");
        }
    });
    let (first, end) = (&epochs[0], &epochs[last - 1]);
    let accuracies = epochs.iter().map(|e| e.test_accuracy);
    let lowest_after_first = accuracies.skip(1).fold(f64::INFINITY, f64::min);
    let desc = format!(
        "Two line plots against the epoch, 1 to {last}. Above, the mean training loss of each \
         epoch falls from {:.3} in epoch 1 to {:.3} in epoch {last}. Below, the accuracy on \
         the {TEST_IMAGES} test images is {:.1}% after epoch 1, between {:.1}% and {:.1}% \
         after every later epoch, and {:.1}% after epoch {last}.",
        first.loss,
        end.loss,
        100.0 * first.test_accuracy,
        100.0 * lowest_after_first,
        100.0
            * epochs[1..]
                .iter()
                .map(|e| e.test_accuracy)
                .fold(0.0, f64::max),
        100.0 * end.test_accuracy,
    );
    inline(
        &raw,
        CURVES_SIZE,
        "digits-curves",
        "Training loss and test accuracy of the digits network, per epoch",
        &desc,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of attribute `name` on `line`.
    fn attr(line: &str, name: &str) -> Option<f64> {
        let (_, rest) = line.split_once(&format!(" {name}=\""))?;
        rest.split('"').next()?.parse().ok()
    }

    /// The area that the squares of `class` (or, for `None`, the squares
    /// without a class: the text colour) cover at least half opaque, as a
    /// share of the drawing. The browser test wants a colour that covers
    /// 15% or more to be nearer the page's colour than the text's, as a
    /// background would be; these are the figure's ink, not its page.
    fn share(svg: &str, class: Option<&str>) -> f64 {
        let root = svg.lines().next().unwrap();
        let area = attr(root, "width").unwrap() * attr(root, "height").unwrap();
        let covered: f64 = svg
            .lines()
            .filter(|l| {
                l.starts_with("<rect") && l.contains("fill=\"currentColor\"")
            })
            .filter(|l| match class {
                Some(c) => l.contains(&format!(" class=\"{c}\"")),
                None => !l.contains(" class="),
            })
            .filter(|l| attr(l, "opacity").unwrap_or(1.0) >= 0.5)
            .map(|l| attr(l, "width").unwrap() * attr(l, "height").unwrap())
            .sum();
        covered / area
    }

    #[test]
    fn the_grids_cover_too_little_to_read_as_a_panel() {
        let filters = digits_filters();
        for class in ["lg-series-1", "lg-series-2"] {
            let s = share(&filters, Some(class));
            assert!(
                s > 0.01 && s < 0.15,
                "digits-filters.svg: {class} covers {s}"
            );
        }
        let ink = share(&digits_wrong(), None);
        assert!(
            ink > 0.01 && ink < 0.15,
            "digits-wrong.svg: the ink covers {ink}"
        );
    }

    #[test]
    fn the_figures_show_the_cached_run() {
        let run = Run::cached();
        let wrong = digits_wrong();
        for w in &run.wrong {
            let label = format!(
                ">{} {}, read {}<",
                article(w.label),
                w.label,
                w.predicted
            );
            assert!(wrong.contains(&label), "digits-wrong.svg: no {label}");
        }
        let squares =
            |svg: &str| svg.lines().filter(|l| l.starts_with("<rect")).count();
        // 16 outlines and one square per nonzero weight.
        let nonzero =
            run.net.filters().iter().filter(|v| v.abs() > 0.0).count();
        assert!(squares(&digits_filters()) <= 16 + nonzero);
        assert!(squares(&digits_filters()) > 16 + nonzero / 2);
        let curves = digits_curves();
        assert!(curves.contains(&format!(
            "{:.1}% after epoch {}",
            100.0 * run.test_accuracy(),
            run.epochs.len()
        )));
    }
}
