//! The workbook's own tests.
//!
//! - Both ways (`cargo test -p exercises`, with or without `--features
//!   solutions`): the book and the workbook agree, exercise for exercise,
//!   and the runner reports a `todo!()`, a panic and a failed check.
//! - With `--features solutions` (what `.ci/run` runs): every reference
//!   solution passes its grader, and every committed stub reports "not yet
//!   solved" (a `todo!()` at its own line, or a "find the bug" stub failing
//!   its check with the checker's message).

use exercises::book::{self, listed, problems, read_pages, read_source, Listed, Page};
use exercises::{all, run, unsolved_as_it_should_be, Outcome, CRATE_DIR};

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn every_book_exercise_is_in_the_workbook_and_back() {
    assert_no_problems("the book and the workbook disagree", book::real_problems());
    assert_eq!(book::workbook().len(), all().len());
}

/// The problems found in the real pages with `from` replaced by `to`.
fn problems_after(from: &str, to: &str) -> Vec<String> {
    let edit = |(p, t): Page| (p, t.replace(from, to));
    let pages: Vec<Page> = read_pages().into_iter().map(edit).collect();
    problems(&pages, &all(), read_source)
}

#[test]
fn the_book_check_catches_each_kind_of_disagreement() {
    let one = "### 1. The sigmoid";
    let cmd = "`cargo run -p exercises -- check relu::tanh_backward`";
    let more = format!(
        "### 0. More\n{}\n{one}",
        cmd.replace("tanh_backward", "gelu")
    );
    let extra = problems_after(one, &more);
    finds(&extra, "relu::gelu` names no workbook exercise");
    finds(
        &extra,
        "exercise \"0. More\" has 0 <details> solutions, not 1",
    );
    let tanh = format!("relu::tanh_backward: the book has 0 sections that end with {cmd}, not 1");
    finds(&problems_after("### 3. The hyperbolic", "## 3."), &tanh);
    finds(&problems_after(cmd, "(no command)"), &tanh);
    let include = problems_after("relu.rs:tanh_backward", "relu.rs:tanh");
    finds(&include, "must show its solution with");
    let renumbered = problems_after("### 2. The leaky", "### 3. The leaky");
    finds(
        &renumbered,
        "exercise \"3. The leaky ReLU\" must be numbered 2.",
    );
    // A renamed heading moves its anchor: the stub's link no longer lands.
    let renamed = problems_after(one, "### 1. The logistic");
    finds(
        &renamed,
        "sigmoid_backward must link to ../../../src/relu.md#1-the-logistic",
    );
    let details =
        "\n1. Derive GELU.\n\n   <details>\n   <summary>Solution</summary>\n\n   </details>\n";
    let loose = problems_after("## Exercises\n", &format!("## Exercises\n{details}"));
    finds(
        &loose,
        "src/relu.md: 1 solutions under ## Exercises are not in a ### section",
    );
    let mut pages = read_pages();
    let gelu = "# GELU\n\n## Exercises\n\n### 1. Derive it\n";
    pages.push(("gelu.md".into(), gelu.into()));
    let not_a_chapter = "src/gelu.md has 1 exercises but is not a chapter in src/SUMMARY.md";
    finds(&problems(&pages, &all(), read_source), not_a_chapter);
    // A stub whose doc comment lost its link, a solution without anchors,
    // and a chapter file without its grading line.
    let source = |file: &str| {
        let text = read_source(file).replace("relu.md#1-the-sigmoid", "relu.md");
        let text = text.replace("// ANCHOR: leaky_relu_backward\n", "");
        text.replace(book::GRADING, "// Moved")
    };
    let found = problems(&read_pages(), &all(), source);
    finds(&found, "the doc comment of sigmoid_backward must link");
    finds(&found, "has no ANCHOR: leaky_relu_backward");
    finds(
        &found,
        "src/relu.rs: tanh_backward must come before the line `// Grading`",
    );
}

#[track_caller]
fn finds(problems: &[String], wanted: &str) {
    let found = problems.iter().any(|p| p.contains(wanted));
    assert!(found, "no problem says {wanted:?}: {problems:#?}");
}

/// The chapters come from SUMMARY.md, numbered as mdBook numbers them.
#[test]
fn chapters_and_their_numbers_are_the_books() {
    let summary = "# Summary\n\n[Intro](introduction.md)\n\n- [Graphs](graphs.md)\n- [ReLU](relu.md)\n\n# Appendices\n\n- [Costs](costs.md)\n";
    let line = |c: &book::Chapter| format!("{} {} {}", c.number, c.title, c.page);
    let chapters: Vec<String> = book::chapters(summary).iter().map(line).collect();
    let want = ["1 Graphs graphs.md", "2 ReLU relu.md", "3 Costs costs.md"];
    assert_eq!(chapters, want);
    let listed = listed(&read_pages());
    let leaky = |l: &&Listed| l.id().as_deref() == Some("relu::leaky_relu_backward");
    let relu = listed.iter().find(leaky).unwrap();
    let (number, chapter) = (relu.chapter.number, relu.chapter.title.as_str());
    assert_eq!(
        (number, chapter, relu.title()),
        (5, "ReLU", "The leaky ReLU")
    );
    assert_eq!(relu.book_link(), "src/relu.md#2-the-leaky-relu");
}

#[test]
fn every_part_has_a_bug_to_find_and_optional_exercises_come_last() {
    let exercises = listed(&read_pages());
    let parts = [
        "computational-graphs.md gradient-checking.md",
        "tensors.md array-operations.md relu.md",
        "affine-biases.md affine-weights.md",
        "convolution.md max-pooling.md softmax-cross-entropy.md network.md",
    ];
    for part in parts.map(|p| p.split(' ').collect::<Vec<_>>()) {
        let in_part = |l: &&Listed| part.contains(&l.chapter.page.as_str());
        let bug = exercises.iter().filter(in_part).any(|l| l.find_the_bug());
        assert!(bug, "no find-the-bug exercise in {part:?}");
    }
    for pair in exercises.windows(2) {
        let same = pair[0].chapter == pair[1].chapter;
        let early = same && pair[0].optional() && !pair[1].optional();
        let heading = &pair[1].heading;
        assert!(
            !early,
            "{heading}: an optional exercise before a required one"
        );
    }
}

#[cfg(feature = "solutions")]
#[test]
fn every_solution_passes_its_grader() {
    let failures = all().into_iter().filter_map(|e| match e.grade() {
        Outcome::Solved(_) => None,
        other => Some(format!("{}: {other:?}", e.id())),
    });
    assert_no_problems("solutions that fail", failures.collect());
}

#[test]
fn every_stub_reports_not_yet_solved() {
    let unexpected = book::workbook().into_iter().filter_map(|(l, e)| {
        let outcome = e.grade_stub();
        (!unsolved_as_it_should_be(&l, &e, &outcome)).then(|| format!("{}: {outcome:?}", e.id()))
    });
    let what = "stubs that do not report \"not yet solved\" as expected";
    assert_no_problems(what, unexpected.collect());
}

#[test]
fn a_todo_a_panic_and_a_failed_check_are_reported_not_raised() {
    let todo_line = line!() + 1;
    let outcome = run(|| todo!());
    let at = format!("{CRATE_DIR}/tests/workbook.rs:{todo_line}");
    assert_eq!(outcome, Outcome::NotStarted { at });
    let outcome = run(|| {
        let a = ndarray::Array2::<f64>::zeros((2, 3));
        Ok(format!("{}", a.dot(&a)))
    });
    let Outcome::Panicked { message, at } = outcome else {
        panic!("expected a panic, got {outcome:?}")
    };
    let incompatible = message.contains("not compatible for matrix multiplication");
    assert!(incompatible && at.contains("ndarray"), "{message} at {at}");
    let failed = run(|| Err("dx failed".into()));
    assert_eq!(failed, Outcome::Wrong("dx failed".into()));
    assert!(run(|| Ok("fine".into())).solved());
}
