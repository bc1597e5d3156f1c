//! The workbook's own tests; with `--features solutions` (as CI runs them)
//! also that every reference solution passes its grader.

use exercises::book;
use exercises::{problems, read_pages, read_source, run, Outcome, CRATE_DIR};

/// As the README promises. (That every stub reports "not yet solved" is the
/// runner's `--expect-all-unsolved`, which CI runs.)
#[test]
fn the_book_and_the_workbook_agree() {
    let problems = problems(&read_pages(), read_source);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[cfg(feature = "solutions")]
#[test]
fn every_solution_passes_its_grader() {
    let graded = exercises::all().into_iter().map(|e| (e.id(), e.grade()));
    let failing: Vec<_> =
        graded.filter(|(_, outcome)| !outcome.solved()).collect();
    assert!(failing.is_empty(), "failing solutions: {failing:#?}");
}

/// That a problem of the real pages and sources, with `from` replaced by
/// `to`, says `wanted`.
#[track_caller]
fn finds(from: &str, to: &str, wanted: &str) {
    let edit = |(page, text): (String, String)| (page, text.replace(from, to));
    let pages: Vec<_> = read_pages().into_iter().map(edit).collect();
    let problems =
        problems(&pages, |file: &str| read_source(file).replace(from, to));
    let found = problems.iter().any(|p| p.contains(wanted));
    assert!(found, "no problem says {wanted:?}: {problems:#?}");
}

#[test]
fn the_book_check_catches_each_kind_of_disagreement() {
    let one = "### 1. The sigmoid";
    let cmd = "`cargo run -p exercises -- check relu::tanh_backward`";
    let gelu = cmd.replace("tanh_backward", "gelu");
    let tanh = format!("relu::tanh_backward: the book has 0 sections that end with {cmd}, not 1");
    // Each edit of the real pages and sources, and a problem it must cause.
    macro_rules! each_edit_finds {
        ($($from:expr => $to:expr, $wanted:expr;)*) => { $(finds($from, &$to, &$wanted);)* };
    }
    each_edit_finds! {
        one => format!("{gelu}\n{one}"), "relu::gelu` names no workbook exercise";
        "### 3. The hyperbolic" => "## 3.", tanh;
        cmd => "(no command)", tanh;
        "relu.rs:tanh_backward" => "relu.rs:tanh", "must show its solution with";
        // A renamed heading moves its anchor: the stub's link no longer lands.
        one => "### 1. The logistic", "must link to ../../../src/relu.md#1-the-logistic";
        "relu.md#1-the-sigmoid" => "relu.md", "the doc comment of sigmoid_backward must link";
        exercises::GRADING => "// Moved", "src/relu.rs: tanh_backward must come before the line `// Grading`";
        // A page that is no chapter of SUMMARY.md lists no exercises.
        "- [ReLU](relu.md)" => "", "relu::tanh_backward: the book has 0 sections";
    }
}

/// The chapters come from SUMMARY.md, numbered as mdBook numbers them.
#[test]
fn chapters_and_their_numbers_are_the_books() {
    let summary = "# Summary\n\n[Intro](introduction.md)\n\n- [Graphs](graphs.md)\n- [ReLU](relu.md)\n\n# Appendices\n\n- [Costs](costs.md)\n";
    let line =
        |c: book::Chapter| format!("{} {} {}", c.number, c.title, c.page);
    let chapters: Vec<String> =
        book::chapters(summary).into_iter().map(line).collect();
    let want = ["1 Graphs graphs.md", "2 ReLU relu.md", "3 Costs costs.md"];
    assert_eq!(chapters, want);
}

/// A `todo!()`, a failed check and a panic inside a dependency are reported,
/// not raised; the panic names the reader's line that called the dependency
/// (tests run in the workbook's folder: the path must not shrink to `./src`).
#[test]
fn a_todo_a_failed_check_and_a_panic_are_reported_not_raised() {
    let todo_line = line!() + 1;
    let outcome = run(|| todo!());
    let at = format!("{CRATE_DIR}/tests/workbook.rs:{todo_line}");
    assert_eq!(outcome, Outcome::NotStarted(at));
    let failed = run(|| Err("dx failed".into()));
    assert_eq!(failed, Outcome::Wrong("dx failed".into()));
    assert!(run(|| Ok("fine".into())).solved());
    let file = "src/affine_weights.rs";
    let source = read_source(file);
    let line = source.lines().position(|l| l.contains("dy.dot(")).unwrap() + 1;
    let outcome = run(|| {
        let zeros = ndarray::Array2::<f64>::zeros;
        exercises::affine_weights::backward(
            &zeros((2, 4)),
            &zeros((4, 5)),
            &zeros((2, 3)),
        );
        Ok("no panic".into())
    });
    let at = format!("panicked at {CRATE_DIR}/{file}:{line} (inside ndarray-");
    let why = "not compatible for matrix multiplication";
    let named = matches!(&outcome, Outcome::Wrong(m) if m.starts_with(&at) && m.contains(why));
    assert!(named, "expected {at}…, got {outcome:?}");
}

/// A heading with a formula: the terminal shows its text, and the link
/// uses the id mdBook gives it (seen in the built book: relu.html has
/// `id="forward-ymax0x"` for "Forward: \(y = \max(0, x)\)").
#[test]
fn a_formula_in_a_heading_is_shown_as_text_and_linked_by_its_id() {
    let listed = |heading: &str| book::Listed {
        chapter: book::Chapter {
            page: "p.md".into(),
            ..Default::default()
        },
        heading: heading.into(),
        ..Default::default()
    };
    let vec = listed("1. Where an entry lands in \\(\\operatorname{vec}\\)");
    assert_eq!(
        vec.plain_heading(),
        "1. Where an entry lands in vec",
        "shown"
    );
    assert_eq!(vec.title(), "Where an entry lands in vec", "title");
    assert_eq!(
        vec.book_link(),
        "src/p.md#1-where-an-entry-lands-in-vec",
        "the link of {:?}",
        vec.heading
    );
    let relu = listed("2. Forward: \\(y = \\max(0, x)\\) and on");
    assert_eq!(
        relu.plain_heading(),
        "2. Forward: y = max(0, x) and on",
        "shown"
    );
    assert_eq!(
        relu.book_link(),
        "src/p.md#2-forward-ymax0x-and-on",
        "the link of {:?}",
        relu.heading
    );
}
