"""The book's spiral example against the CS231n numpy case study, side by
side: 10,000 full-batch steps of the same network (300 points, 100 hidden
units, 3 classes), each program timing its own training loop.

    python3 chapters-code/benches/spiral-vs-numpy.py

builds `cargo run --release -p backprop --example spiral`, then runs it and
`cs231n_spiral.py` alternately, 5 times each, with one thread for numpy's
BLAS (OPENBLAS_NUM_THREADS=1). OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE,
which some machines set to work around old OpenBLAS builds and which slow
a current numpy, are removed for numpy's runs only. It writes the medians,
their ratio and the machine to chapters-code/measured/spiral-vs-numpy.html, which
the appendix "What the Jacobian costs" includes. Run it by hand on a quiet
machine; never in CI.

    python3 chapters-code/benches/spiral-vs-numpy.py --rerender

writes the committed table again from the numbers it states, without
running anything, after a change to how it is written.

The tables are typeset as the book is: a number and its unit, and the two
sides of "×", are tied by no-break spaces; a code name breaks only after
"/", "::" or "." (see `code`), as the book's preprocessor breaks inline
code (chapters-code/drop-tex/src/code.rs); "(R)" and "(TM)" are ® and ™.
"""

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

RUNS = 5
ROOT = Path(__file__).resolve().parents[2]
TIME = re.compile(r"trained: 10000 steps in ([0-9.]+) s, training accuracy ([0-9.]+)")


def seconds(command, env):
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    match = TIME.search(out)
    if not match:
        sys.exit(f"no timing line in the output of {command}:\n{out}")
    return float(match.group(1)), float(match.group(2))


OUT = ROOT / "chapters-code/measured/spiral-vs-numpy.html"
NBSP = "&nbsp;"


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_unescape(text):
    text = re.sub(r"<[^>]*>", "", text).replace("&nbsp;", " ")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def code(text):
    """`text` as inline code that breaks only after "/", "::" or "." (not
    before a file's extension), never at a hyphen, a space or inside a
    name: each part between two breaks in a no-wrap span, a <wbr> after
    it."""
    parts = re.findall(r".+?(?:::|/|\.(?=\w{5}))|.+$", text) if len(text) > 20 else [text]
    inner = "<wbr>".join(f'<span class="lg-nowrap">{html_escape(p)}</span>' for p in parts)
    return f'<code class="nohighlight">{inner}</code>'


def model_name(model):
    """A processor's name as the book writes it: ® and ™, not (R) and (TM)."""
    return model.replace("(R)", "®").replace("(TM)", "™").replace("(tm)", "™")


def typeset_machine(text):
    """The machine's description with its parts tied: "2 cores", "AVX-512F"."""
    text = model_name(text)
    text = re.sub(r"(\d) cores", rf"\1{NBSP}cores", text)
    return re.sub(r"AVX-512F?", lambda m: f'<span class="lg-nowrap">{m.group(0)}</span>', text)


def machine():
    model, flags = "unknown processor", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model == "unknown processor":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line.split(":", 1)[1]
    except OSError:
        pass
    avx512 = "with AVX-512F" if " avx512f" in f" {flags} " else "without AVX-512"
    return f"{model_name(model)}, {os.cpu_count()} cores, {avx512}"


def numpy_kernel(env):
    probe = (
        "import numpy, threadpoolctl; "
        "i = [p for p in threadpoolctl.threadpool_info() if p['internal_api'] == 'openblas']; "
        "print(numpy.__version__, i[0].get('architecture') if i else 'no OpenBLAS')"
    )
    try:
        return subprocess.run(
            [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
    except subprocess.CalledProcessError:
        import numpy

        return numpy.__version__


# The instructions an OpenBLAS kernel computes with, by its name.
KERNEL_ISA = {"Haswell": "AVX2", "Zen": "AVX2", "SkylakeX": "AVX-512", "Cooperlake": "AVX-512", "SapphireRapids": "AVX-512", "SandyBridge": "AVX"}


def typeset_kernel(kernel):
    """NumPy's version and OpenBLAS's kernel as a reader can read them:
    "2.4.6 Haswell" becomes "2.4.6 with OpenBLAS's Haswell kernel (AVX2)".
    A caption already written so is returned as it is."""
    parts = kernel.split()
    if len(parts) != 2 or "OpenBLAS" in kernel or parts[1] == "OpenBLAS":
        return kernel
    version, arch = parts
    isa = KERNEL_ISA.get(arch)
    return f"{version} with OpenBLAS\u2019s {arch} kernel" + (f" ({isa})" if isa else "")


def profile_rows(rust, env, example="spiral"):
    """Where the Rust run's time goes: the functions with the largest
    shares of perf's samples, (share, name); none where perf is missing."""
    data = ROOT / f"target/{example}-vs-numpy.perf.data"
    try:
        subprocess.run(["perf", "record", "-q", "-o", str(data)] + rust, env=env, check=True, capture_output=True)
        report = subprocess.run(
            ["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", "symbol"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    rows = []
    for line in report.splitlines():
        match = re.match(r"\s*([0-9.]+)%\s+\[[.k]\]\s+(.*\S)", line)
        if match and len(rows) < 12:
            name = re.sub(r"(\s+-)+\s*$", "", match.group(2))
            rows.append((float(match.group(1)), name))
    return rows


def profile_table(rows, example):
    """The profile's table from its rows, (share in percent, function)."""
    if not rows:
        return ""
    body = "".join(f"<tr><td>{code(name)}</td><td>{share:.1f}%</td></tr>\n" for share, name in rows)
    return (
        '<table class="lg-measured">\n'
        "<caption>Where the Rust run’s time goes: the functions with the largest shares of "
        f"perf’s samples (perf record on the {example} example, same machine and run).</caption>\n"
        "<thead><tr><th>function</th><th>share of samples</th></tr></thead>\n<tbody>\n"
        f"{body}</tbody>\n</table>\n"
    )


def read_profile(html):
    """The profile rows a table written by `profile_table` states."""
    rows = re.findall(r"<tr><td>(<code.*?</code>)</td><td>([0-9.]+)%</td></tr>", html)
    return [(float(share), html_unescape(name)) for name, share in rows]


def caption_parts(html, before):
    """The machine, numpy's description and the load average a caption
    states after `before`."""
    match = re.search(
        re.escape(before) + r" on (.*?); (?:numpy|NumPy) (.*?), one BLAS thread; load average ([0-9.]+)", html
    )
    if not match:
        sys.exit(f"cannot read the caption of the committed table after {before!r}")
    return html_unescape(match.group(1)), html_unescape(match.group(2)), float(match.group(3))


def table(machine_, kernel, load, rust_times, numpy_times, rows):
    r, n = statistics.median(rust_times), statistics.median(numpy_times)
    return (
        '<table class="lg-measured">\n'
        f"<caption>10,000 spiral steps, median of {RUNS} alternating runs of each program, "
        f"on {typeset_machine(machine_)}; NumPy {typeset_kernel(kernel)}, one BLAS thread; "
        f"load average {load:.1f} at the end. Written by {code('chapters-code/benches/spiral-vs-numpy.py')}.</caption>\n"
        "<thead><tr><th>program</th><th>median time</th><th>every run (s)</th></tr></thead>\n<tbody>\n"
        f"<tr><td>the book’s spiral example (Rust, {code('net::train')})</td><td>{r:.3f}{NBSP}s</td>"
        f"<td>{', '.join(f'{t:.3f}' for t in rust_times)}</td></tr>\n"
        f"<tr><td>the CS231n case study (NumPy)</td><td>{n:.3f}{NBSP}s</td>"
        f"<td>{', '.join(f'{t:.3f}' for t in numpy_times)}</td></tr>\n"
        f"<tr><td>ratio: NumPy ÷ Rust</td><td>{n / r:.2f}</td><td></td></tr>\n"
        "</tbody>\n</table>\n"
    ) + profile_table(rows, "spiral")


def rerender():
    """The committed table written again from the numbers it states."""
    html = OUT.read_text(encoding="utf-8")
    machine_, kernel, load = caption_parts(html, "runs of each program,")
    runs = re.findall(r"<td>([0-9.]+(?:, [0-9.]+)+)</td></tr>", html)
    if len(runs) != 2:
        sys.exit("cannot read the two rows of every run in the committed table")
    rust_times, numpy_times = ([float(t) for t in r.split(", ")] for r in runs)
    return table(machine_, kernel, load, rust_times, numpy_times, read_profile(html))


def write(html):
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(html, encoding="utf-8")
    print(html, end="")
    print(f"wrote {OUT.relative_to(ROOT)}")


def main():
    if sys.argv[1:] == ["--rerender"]:
        write(rerender())
        return
    subprocess.run(
        ["cargo", "build", "--release", "-p", "backprop", "--example", "spiral"], cwd=ROOT, check=True
    )
    rust = [str(ROOT / "target/release/examples/spiral")]
    numpy = [sys.executable, str(Path(__file__).with_name("cs231n_spiral.py"))]
    rust_env = dict(os.environ)
    numpy_env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    numpy_env["OPENBLAS_NUM_THREADS"] = "1"
    rust_times, numpy_times = [], []
    for run in range(RUNS):
        r, r_acc = seconds(rust, rust_env)
        n, n_acc = seconds(numpy, numpy_env)
        rust_times.append(r)
        numpy_times.append(n)
        print(f"run {run + 1}: Rust {r:.3f} s (accuracy {r_acc}), numpy {n:.3f} s (accuracy {n_acc})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = profile_rows(rust, rust_env)
    write(table(machine(), numpy_kernel(numpy_env), load, rust_times, numpy_times, rows))

if __name__ == "__main__":
    main()
