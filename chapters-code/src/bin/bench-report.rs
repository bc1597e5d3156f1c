//! Turns the results of `cargo bench -p backprop --bench backward` into the
//! appendix "What the Jacobian costs": the figure
//! `src/measured/jacobian-costs.svg` and the table
//! `src/measured/jacobian-costs.html`, naming the machine they came from.
//!
//! ```text
//! cargo bench -p backprop --bench backward
//! cargo run -p backprop --features figures --bin bench-report
//! ```
//!
//! It reads criterion's median estimates from
//! `target/criterion/<group>/<id>/new/estimates.json` (and the ReLU peak
//! memory from `target/criterion/relu_backward/peak-bytes.tsv`), and exits
//! with an error when a ratio exceeds the bound the book states for it.

use backprop::figures::costs::{bytes, duration, jacobian_costs, median_ns, Ratio};
use std::path::{Path, PathBuf};

const RELU_SIZES: [usize; 5] = [16, 64, 256, 1024, 4096];

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The median of one benchmark, `group/id`, in nanoseconds.
fn median(criterion: &Path, id: &str) -> Option<f64> {
    let path = criterion.join(id).join("new/estimates.json");
    median_ns(&std::fs::read_to_string(path).ok()?)
}

/// "Intel(R) Xeon(R) Processor, 2 cores (Linux)".
fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cores} cores ({})", std::env::consts::OS)
}

fn main() {
    let criterion = target_dir().join("criterion");
    let need = |id: &str| {
        median(&criterion, id).unwrap_or_else(|| {
            eprintln!(
                "no results for {id} in {}: run `cargo bench -p backprop --bench backward` first",
                criterion.display()
            );
            std::process::exit(2)
        })
    };

    let relu: Vec<(usize, f64, f64)> = RELU_SIZES
        .iter()
        .map(|&n| {
            (
                n,
                need(&format!("relu_backward/mask/{n}")),
                need(&format!("relu_backward/explicit_jacobian/{n}")),
            )
        })
        .collect();
    let memory =
        std::fs::read_to_string(criterion.join("relu_backward/peak-bytes.tsv")).unwrap_or_default();
    let peak = |method: &str, n: usize| {
        memory
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.len() == 3 && f[0] == method && f[1] == n.to_string())
                    .then(|| f[2].parse().ok())
                    .flatten()
            })
            .next()
            .map_or_else(|| "?".to_string(), bytes)
    };

    let mut ratios = vec![Ratio {
        label: "affine backward ÷ its two products".into(),
        value: need("affine_backward_512/backward") / need("affine_backward_512/two_products"),
        limit: Some(1.15),
    }];
    if median(&criterion, "conv_backward/im2col_backward").is_some() {
        // The bound is on the backward pass proper, from the X_col that the
        // forward pass built; rebuilding X_col from x is shown beside it.
        ratios.push(Ratio {
            label: "im2col backward from X_col ÷ its products".into(),
            value: need("conv_backward/cols_backward") / need("conv_backward/im2col_products"),
            limit: Some(1.5),
        });
        ratios.push(Ratio {
            label: "im2col backward from x ÷ its products".into(),
            value: need("conv_backward/im2col_backward") / need("conv_backward/im2col_products"),
            limit: None,
        });
    }

    // The table.
    let mut html = String::new();
    html.push_str("<table class=\"lg-measured\">\n");
    html.push_str(&format!(
        "<caption>Median time per call on {}, measured by criterion.</caption>\n",
        machine()
    ));
    html.push_str(
        "<thead><tr><th>what</th><th>time</th><th>peak memory</th></tr></thead>\n<tbody>\n",
    );
    for &(n, mask, jac) in &relu {
        html.push_str(&format!(
            "<tr><td>ReLU backward, n = {n}, mask</td><td>{}</td><td>{}</td></tr>\n",
            duration(mask),
            peak("mask", n)
        ));
        html.push_str(&format!(
            "<tr><td>ReLU backward, n = {n}, explicit Jacobian</td><td>{}</td><td>{}</td></tr>\n",
            duration(jac),
            peak("explicit_jacobian", n)
        ));
    }
    let rows = [
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
            "im2col backward's matrix products alone",
            "conv_backward/im2col_products",
        ),
    ];
    for (what, id) in rows {
        if let Some(ns) = median(&criterion, id) {
            html.push_str(&format!(
                "<tr><td>{what}</td><td>{}</td><td></td></tr>\n",
                duration(ns)
            ));
        }
    }
    for r in &ratios {
        html.push_str(&format!(
            "<tr><td>ratio: {}</td><td>{:.2}{}</td><td></td></tr>\n",
            r.label,
            r.value,
            r.limit
                .map_or(String::new(), |l| format!(" (at most {l:.2})"))
        ));
    }
    html.push_str("</tbody>\n</table>\n");

    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/measured");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("jacobian-costs.svg"),
        jacobian_costs(&relu, &ratios),
    )
    .unwrap();
    std::fs::write(out.join("jacobian-costs.html"), &html).unwrap();
    print!("{html}");
    println!("wrote src/measured/jacobian-costs.svg and src/measured/jacobian-costs.html");

    let over: Vec<&Ratio> = ratios
        .iter()
        .filter(|r| r.limit.is_some_and(|l| r.value > l))
        .collect();
    for r in &over {
        eprintln!(
            "{}: {:.2} is above the book's bound {:.2}",
            r.label,
            r.value,
            r.limit.unwrap()
        );
    }
    if !over.is_empty() {
        std::process::exit(1);
    }
}
