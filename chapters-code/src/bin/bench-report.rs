//! Turns the results of `cargo bench -p backprop-benches --bench backward` into the
//! appendix "What the Jacobian costs": the figure
//! `chapters-code/measured/jacobian-costs.svg` and the table
//! `chapters-code/measured/jacobian-costs.html`, naming the machine they came from.
//!
//! ```text
//! cargo bench -p backprop-benches --bench backward
//! cargo run -p backprop --features figures --bin bench-report [CRITERION_DIR]
//! cargo run -p backprop --features figures --bin bench-report -- --redraw
//! ```
//!
//! It reads criterion's results from `CRITERION_DIR` (by default
//! `target/criterion`; see [`Measured::read`]), and exits with an error when
//! a ratio exceeds the bound the book states for it. The figure is drawn
//! from the numbers as the table states them ([`Measured::from_table`]);
//! `--redraw` redraws both from the committed table, without benchmarks,
//! after a change to how they are drawn.

use backprop::figures::costs::{jacobian_costs, Measured};
use std::path::{Path, PathBuf};

/// "Intel® Xeon® Processor, 2&nbsp;cores (Linux)".
fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    typeset(&format!(
        "{model}, {cores} cores ({})",
        std::env::consts::OS
    ))
}

/// The machine's name as the book sets it: ® and ™ rather than the
/// processor's "(R)" and "(TM)", the system's proper name ("Linux", not
/// Rust's "linux"), and the number of cores tied to "cores" by a no-break
/// space. Typesetting twice changes nothing, so `--redraw`
/// applies it to the name the committed table states.
fn typeset(machine: &str) -> String {
    let machine = machine
        .replace("(R)", "®")
        .replace("(TM)", "™")
        .replace("(tm)", "™")
        .replace("(linux)", "(Linux)")
        .replace("(macos)", "(macOS)")
        .replace("(windows)", "(Windows)");
    match machine.split_once(" cores") {
        Some((before, after))
            if before.ends_with(|c: char| c.is_ascii_digit()) =>
        {
            format!("{before}&nbsp;cores{after}")
        }
        _ => machine,
    }
}

#[test]
fn typesets_the_machine_once() {
    let once = typeset(
        "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz (TM), 2 cores (linux)",
    );
    assert_eq!(
        once,
        "Intel® Xeon® Gold 6140 CPU @ 2.30GHz ™, 2&nbsp;cores (Linux)"
    );
    assert_eq!(
        typeset(&once),
        once,
        "typesetting the typeset name again changed it"
    );
}

fn main() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("measured");
    let html = if std::env::args().nth(1).as_deref() == Some("--redraw") {
        let committed =
            std::fs::read_to_string(out.join("jacobian-costs.html")).unwrap();
        let (stated, machine) = Measured::from_table(&committed).unwrap();
        stated.table(&typeset(&machine))
    } else {
        let criterion = std::env::args_os()
            .nth(1)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                std::env::var_os("CARGO_TARGET_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| {
                        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
                    })
                    .join("criterion")
            });
        let measured = Measured::read(&criterion).unwrap_or_else(|e| {
            eprintln!("{e}: run `cargo bench -p backprop-benches --bench backward` first");
            std::process::exit(2)
        });
        measured.table(&machine())
    };
    let (measured, _) = Measured::from_table(&html).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let svg = jacobian_costs(&measured);
    std::fs::write(out.join("jacobian-costs.svg"), svg).unwrap();
    std::fs::write(out.join("jacobian-costs.html"), &html).unwrap();
    print!("{html}");
    println!("wrote chapters-code/measured/jacobian-costs.svg and chapters-code/measured/jacobian-costs.html");
    let over = measured.over_limit();
    for r in &over {
        let limit = r.limit.unwrap_or(f64::INFINITY);
        eprintln!(
            "{}: {:.2} is above the book's bound {limit:.2}",
            r.label, r.value
        );
    }
    if !over.is_empty() {
        std::process::exit(1);
    }
}
