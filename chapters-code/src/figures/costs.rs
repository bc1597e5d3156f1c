//! The figure of the appendix "What the Jacobian costs", drawn from
//! criterion's benchmark results rather than from the crate's numbers, so it
//! is not one of [`FIGURES`](super::FIGURES): it lives in `src/measured/`
//! and is redrawn by `cargo run -p backprop --features figures --bin
//! bench-report` after `cargo bench -p backprop --bench backward`.

use super::svg::{Anchor, Svg};

/// The median time per call, in nanoseconds, from the text of a criterion
/// `estimates.json` (`{"mean": {...}, "median": {..., "point_estimate": T,
/// ...}, ...}`). `None` when the text has no median estimate.
pub fn median_ns(estimates_json: &str) -> Option<f64> {
    let after = &estimates_json[estimates_json.find("\"median\":")?..];
    let value = &after[after.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

/// A duration in nanoseconds as a short label: `"230 ms"`, `"3.9 µs"`,
/// `"1 s"`.
pub fn duration(ns: f64) -> String {
    let (value, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    if value >= 10.0 || value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// A byte count as a short label in binary units: `"188 B"`, `"32 KiB"`,
/// `"128 MiB"`.
pub fn bytes(count: u64) -> String {
    let c = count as f64;
    let (value, unit) = if c >= 1024.0 * 1024.0 {
        (c / (1024.0 * 1024.0), "MiB")
    } else if c >= 1024.0 {
        (c / 1024.0, "KiB")
    } else {
        return format!("{count} B");
    };
    if value >= 10.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
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

/// The appendix figure: ReLU backward time against `n` on log-log axes for
/// the mask and the explicit Jacobian (`relu` holds `(n, mask ns, explicit
/// ns)`, `n` increasing), and below it one bar per [`Ratio`] with its limit.
pub fn jacobian_costs(relu: &[(usize, f64, f64)], ratios: &[Ratio]) -> String {
    let mut svg = Svg::new("jacobian-costs");
    let width = 380.0;
    let (left, right) = (78.0, 300.0);
    let (top, bottom) = (44.0, 244.0);
    svg.text(
        12.0,
        20.0,
        Anchor::Start,
        "lg-head",
        "ReLU backward, time per call",
    );

    let log_n = |n: usize| (n as f64).log2();
    let (n_lo, n_hi) = (
        relu.first().map_or(16, |p| p.0),
        relu.last().map_or(4096, |p| p.0),
    );
    let x_of = |n: usize| {
        let span = (log_n(n_hi) - log_n(n_lo)).max(1.0);
        left + (log_n(n) - log_n(n_lo)) / span * (right - left)
    };
    let all_ns = relu.iter().flat_map(|p| [p.1, p.2]);
    let lo_decade = all_ns.clone().fold(f64::INFINITY, f64::min).log10().floor();
    let hi_decade = all_ns.fold(0.0, f64::max).log10().ceil();
    let (lo_decade, hi_decade) = if lo_decade.is_finite() && hi_decade > lo_decade {
        (lo_decade, hi_decade)
    } else {
        (2.0, 9.0)
    };
    let y_of =
        |ns: f64| bottom - (ns.log10() - lo_decade) / (hi_decade - lo_decade) * (bottom - top);

    // Axes, decade gridlines and ticks.
    svg.line((left, top), (left, bottom), "lg-axis");
    svg.line((left, bottom), (right, bottom), "lg-axis");
    let mut decade = lo_decade;
    while decade <= hi_decade {
        let y = y_of(10f64.powf(decade));
        svg.line((left - 4.0, y), (left, y), "lg-axis");
        svg.text(
            left - 7.0,
            y + 4.0,
            Anchor::End,
            "lg-small",
            &duration(10f64.powf(decade)),
        );
        decade += 1.0;
    }
    for &(n, _, _) in relu {
        let x = x_of(n);
        svg.line((x, bottom), (x, bottom + 4.0), "lg-axis");
        svg.text(x, bottom + 18.0, Anchor::Middle, "lg-small", &n.to_string());
    }
    svg.text(
        (left + right) / 2.0,
        bottom + 36.0,
        Anchor::Middle,
        "lg-caption",
        "n, entries of x (log scale)",
    );

    // The two series: circles for the mask, squares for the Jacobian.
    for (series, class) in [(1, "lg-value"), (2, "lg-grad")] {
        let points: Vec<(f64, f64)> = relu
            .iter()
            .map(|p| (x_of(p.0), y_of(if series == 1 { p.1 } else { p.2 })))
            .collect();
        for pair in points.windows(2) {
            svg.line(pair[0], pair[1], class);
        }
        for &(x, y) in &points {
            if series == 1 {
                svg.circle(x, y, 3.5, class);
            } else {
                svg.rect(x - 3.5, y - 3.5, 7.0, 7.0, 0.0, class);
            }
        }
        if let Some(&(x, y)) = points.last() {
            let label = if series == 1 { "mask" } else { "Jacobian" };
            svg.text(
                x + 8.0,
                y + 4.0,
                Anchor::Start,
                &format!("lg-legend {class}"),
                label,
            );
        }
    }

    // The ratios: one bar each on a common scale, with the limit marked.
    let bars_top = bottom + 70.0;
    svg.text(
        12.0,
        bars_top - 14.0,
        Anchor::Start,
        "lg-head",
        "Ratios of median times, same run",
    );
    let scale_max = ratios
        .iter()
        .flat_map(|r| [r.value, r.limit.unwrap_or(0.0)])
        .fold(1.0, f64::max)
        * 1.1;
    let (bar_left, bar_right) = (12.0, width - 70.0);
    let bar_x = |v: f64| bar_left + v / scale_max * (bar_right - bar_left);
    let row_h = 62.0;
    for (i, ratio) in ratios.iter().enumerate() {
        let y = bars_top + i as f64 * row_h;
        svg.text(bar_left, y + 4.0, Anchor::Start, "lg-small", &ratio.label);
        svg.rect(
            bar_left,
            y + 12.0,
            bar_x(ratio.value) - bar_left,
            16.0,
            0.0,
            "lg-value",
        );
        // The value goes past the bar, and past the limit's mark if that
        // is further right, so the mark never runs through it.
        let value_x = bar_x(ratio.value).max(ratio.limit.map_or(0.0, bar_x));
        svg.text(
            value_x + 6.0,
            y + 25.0,
            Anchor::Start,
            "lg-small",
            &format!("{:.2}", ratio.value),
        );
        if let Some(limit) = ratio.limit {
            let x = bar_x(limit);
            svg.line((x, y + 8.0), (x, y + 32.0), "lg-grad");
            svg.text(
                x,
                y + 46.0,
                Anchor::Middle,
                "lg-sub lg-grad",
                &format!("limit {limit:.2}"),
            );
        }
    }
    let height = bars_top + ratios.len() as f64 * row_h + 8.0;

    let points: Vec<String> = relu
        .iter()
        .map(|(n, m, j)| format!("n = {n}: mask {}, Jacobian {}", duration(*m), duration(*j)))
        .collect();
    let bars: Vec<String> = ratios
        .iter()
        .map(|r| match r.limit {
            Some(limit) => format!("{}: {:.2} (limit {limit:.2})", r.label, r.value),
            None => format!("{}: {:.2}", r.label, r.value),
        })
        .collect();
    svg.finish(
        width,
        height,
        "What the Jacobian costs, measured",
        &format!(
            "Log-log plot of ReLU backward time per call against n. {}. Ratios: {}.",
            points.join("; "),
            bars.join("; ")
        ),
    )
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
    fn durations_get_their_unit() {
        assert_eq!(duration(205.3), "205 ns");
        assert_eq!(duration(3864.7), "3.9 µs");
        assert_eq!(duration(2.3e8), "230 ms");
        assert_eq!(duration(1.0e9), "1 s");
        assert_eq!(duration(1.0e3), "1 µs");
        assert_eq!(duration(1.0e6), "1 ms");
        assert_eq!(duration(1.5e6), "1.5 ms");
    }

    #[test]
    fn byte_counts_get_their_unit() {
        assert_eq!(bytes(188), "188 B");
        assert_eq!(bytes(2176), "2.1 KiB");
        assert_eq!(bytes(32828), "32 KiB");
        assert_eq!(bytes(134_250_496), "128 MiB");
    }

    #[test]
    fn the_plot_names_every_point_and_ratio_in_its_description() {
        let relu = [(16, 200.0, 230.0), (4096, 3.9e3, 2.3e8)];
        let ratios = [Ratio {
            label: "affine backward ÷ its two products".into(),
            value: 0.88,
            limit: Some(1.15),
        }];
        let svg = jacobian_costs(&relu, &ratios);
        assert!(
            svg.contains("n = 4096: mask 3.9 µs, Jacobian 230 ms"),
            "{svg}"
        );
        assert!(svg.contains("its two products: 0.88 (limit 1.15)"), "{svg}");
        assert!(svg.contains(">limit 1.15</text>"), "{svg}");
        assert!(svg.contains(">1 s</text>"), "{svg}");
        assert!(svg.contains(">100 ns</text>"), "{svg}");
    }
}
