"""The digits example against the same network in numpy, side by side:
10 epochs of the conv net on the 1437 training images, each program
timing its own epochs (and the test accuracy after each).

    python3 chapters-code/benches/digits-vs-numpy.py

builds `cargo run --release -p backprop --example digits`, then runs it,
`digits_numpy.py` and `digits_numpy.py --input-gradient` (which also
computes the images' gradient, as the book's conv::backward does) in turn,
5 times each, with one thread for numpy's BLAS (OPENBLAS_NUM_THREADS=1;
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed for numpy's runs, as in
spiral-vs-numpy.py). It prints each program's median time per epoch and
the ratios, and writes them to chapters-code/measured/digits-vs-numpy.html, which
the appendix "What the Jacobian costs" includes, with a perf profile of
the Rust run where perf is installed. Run it by hand on a quiet machine;
never in CI. Needs numpy.

    python3 chapters-code/benches/digits-vs-numpy.py --rerender

writes the committed table again from the numbers it states, without
running anything, typeset as spiral-vs-numpy.py's are.
"""

import importlib.util
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

RUNS = 5
ROOT = Path(__file__).resolve().parents[2]
TIME = re.compile(r"trained: (\d+) epochs in ([0-9.]+) s, test accuracy ([0-9.]+)")


OUT = ROOT / "chapters-code/measured/digits-vs-numpy.html"
PROGRAMS = [
    "the book’s digits example (Rust)",
    "the same network in NumPy",
    "NumPy, also computing the images’ gradient",
]

# The machine's description, the perf profile and the typesetting, as the
# spiral's side-by-side run writes them.
_spec = importlib.util.spec_from_file_location("spiral_vs_numpy", Path(__file__).with_name("spiral-vs-numpy.py"))
spiral = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(spiral)


def per_epoch(command, env):
    """Seconds per epoch and the final test accuracy of one run."""
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    match = TIME.search(out)
    if not match:
        sys.exit(f"no timing line in the output of {command}:\n{out}")
    return float(match.group(2)) / int(match.group(1)), float(match.group(3))


def main():
    if sys.argv[1:] == ["--rerender"]:
        write(rerender())
        return
    subprocess.run(
        ["cargo", "build", "--release", "-p", "backprop", "--example", "digits"], cwd=ROOT, check=True
    )
    numpy_script = str(Path(__file__).with_name("digits_numpy.py"))
    programs = list(
        zip(
            PROGRAMS,
            [
                [str(ROOT / "target/release/examples/digits")],
                [sys.executable, numpy_script],
                [sys.executable, numpy_script, "--input-gradient"],
            ],
        )
    )
    rust_env = dict(os.environ)
    numpy_env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    numpy_env["OPENBLAS_NUM_THREADS"] = "1"
    times = {name: [] for name, _ in programs}
    for run in range(RUNS):
        line = []
        for i, (name, command) in enumerate(programs):
            t, accuracy = per_epoch(command, rust_env if i == 0 else numpy_env)
            times[name].append(t)
            line.append(f"{1000 * t:.1f} ms (accuracy {accuracy})")
        print(f"run {run + 1}: " + ", ".join(line))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = spiral.profile_rows(programs[0][1], rust_env, "digits")
    write(table(spiral.machine(), spiral.numpy_kernel(numpy_env), load, times, rows))


def table(machine, kernel, load, times, rows):
    """The tables from the machine, numpy's description, the load average,
    every run's seconds per epoch by program, and the profile's rows."""
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    rust = medians[PROGRAMS[0]]
    nbsp = spiral.NBSP
    # Three columns, as the spiral's table, so that it fits a phone: the
    # ratio to Rust goes with each median.
    body = "".join(
        f"<tr><td>{name}</td><td>{1000 * medians[name]:.1f}{nbsp}ms"
        f"{'' if i == 0 else f' ({medians[name] / rust:.2f}{nbsp}×{nbsp}Rust)'}</td>"
        f"<td>{', '.join(f'{1000 * t:.1f}' for t in times[name])}</td></tr>\n"
        for i, name in enumerate(PROGRAMS)
    )
    return (
        '<table class="lg-measured">\n'
        f"<caption>One epoch of the digits network (1437{nbsp}images, minibatches of{nbsp}16, and the "
        f"test accuracy after it), median of {RUNS} alternating runs of each program, "
        f"on {spiral.typeset_machine(machine)}; NumPy {spiral.typeset_kernel(kernel)}, one BLAS thread; "
        f"load average {load:.1f} at the end. "
        f"Written by {spiral.code('chapters-code/benches/digits-vs-numpy.py')}.</caption>\n"
        "<thead><tr><th>program</th><th>median time per epoch</th><th>every run (ms)</th>"
        "</tr></thead>\n<tbody>\n"
        f"{body}</tbody>\n</table>\n"
    ) + spiral.profile_table(rows, "digits")


def rerender():
    """The committed table written again from the numbers it states."""
    html = OUT.read_text(encoding="utf-8")
    machine, kernel, load = spiral.caption_parts(html, "runs of each program,")
    runs = re.findall(r"<td>([0-9.]+(?:, [0-9.]+)+)</td></tr>", html)
    if len(runs) != len(PROGRAMS):
        sys.exit("cannot read the rows of every run in the committed table")
    times = {name: [float(t) / 1000 for t in r.split(", ")] for name, r in zip(PROGRAMS, runs)}
    return table(machine, kernel, load, times, spiral.read_profile(html))


def write(html):
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(html, encoding="utf-8")
    print(html, end="")
    print(f"wrote {OUT.relative_to(ROOT)}")

if __name__ == "__main__":
    main()
