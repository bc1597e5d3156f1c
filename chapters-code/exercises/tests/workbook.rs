//! The workbook's own tests.
//!
//! - Both ways (`cargo test -p exercises`, with or without `--features
//!   solutions`): the book and the workbook agree, exercise for exercise,
//!   and the runner reports a `todo!()`, a panic and a failed check.
//! - With `--features solutions` (what `.ci/run` runs): every reference
//!   solution passes its grader, and every committed stub reports "not yet
//!   solved" (a `todo!()` at its own line, or a "find the bug" stub failing
//!   its check with the checker's message).

use exercises::book::{self, listed, problems, read_pages, read_source, Page};
use exercises::{all, run, unsolved_as_it_should_be, Outcome, CRATE_DIR};

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn every_book_exercise_is_in_the_workbook_and_back() {
    assert_no_problems("the book and the workbook disagree", book::real_problems());
    assert_eq!(book::workbook().len(), all().len());
}

/// The problems found in the real pages with `edit` applied to `page`.
fn problems_after(page: &str, edit: impl Fn(&str) -> String) -> Vec<String> {
    let pages: Vec<Page> = read_pages()
        .into_iter()
        .map(|(p, t)| if p == page { (p, edit(&t)) } else { (p, t) })
        .collect();
    problems(&pages, &all(), read_source)
}

#[track_caller]
fn finds(problems: &[String], wanted: &str) {
    assert!(
        problems.iter().any(|p| p.contains(wanted)),
        "no problem says {wanted:?}: {problems:#?}"
    );
}

#[test]
fn the_book_check_catches_each_kind_of_disagreement() {
    let cmd = "cargo run -p exercises -- check relu::tanh_backward";
    let extra = problems_after("relu.md", |t| {
        format!("{t}\n### 4. One more\n\n`cargo run -p exercises -- check relu::gelu`\n")
    });
    finds(&extra, "relu::gelu` names no workbook exercise");
    finds(&extra, "\"4. One more\" has 0 <details> solutions, not 1");
    let gone = problems_after("relu.md", |t| t[..t.find("### 3.").unwrap()].to_string());
    finds(
        &gone,
        &format!("relu::tanh_backward: the book has 0 sections that end with `{cmd}`, not 1"),
    );
    let no_command = problems_after("relu.md", |t| {
        t.replace(&format!("`{cmd}`"), "(no command)")
    });
    finds(&no_command, "the book has 0 sections that end with");
    let no_include = problems_after("relu.md", |t| {
        t.replace("solutions/relu.rs:tanh_backward", "solutions/relu.rs:tanh")
    });
    finds(&no_include, "must show its solution with");
    let renumbered = problems_after("relu.md", |t| {
        t.replace("### 2. The leaky", "### 3. The leaky")
    });
    finds(
        &renumbered,
        "exercise \"3. The leaky ReLU\" must be numbered 2.",
    );
    // A renamed heading moves its anchor: the stub's link no longer lands.
    let renamed = problems_after("relu.md", |t| {
        t.replace("### 1. The sigmoid", "### 1. The logistic")
    });
    finds(
        &renamed,
        "the doc comment of sigmoid_backward must link to ../../../src/relu.md#1-the-logistic",
    );
    let mut new_page = read_pages();
    new_page.push((
        "gelu.md".into(),
        "# GELU\n\n## Exercises\n\n### 1. Derive it\n".into(),
    ));
    finds(
        &problems(&new_page, &all(), read_source),
        "src/gelu.md has 1 exercises but is not a chapter in src/SUMMARY.md",
    );
    let numbered = problems_after("relu.md", |t| {
        t.replace("## Exercises\n", "## Exercises\n\n1. Derive GELU.\n\n   <details>\n   <summary>Solution</summary>\n\n   </details>\n")
    });
    finds(
        &numbered,
        "src/relu.md: 1 solutions under ## Exercises are not in a ### section",
    );
    // A stub whose doc comment lost its link, a solution without anchors,
    // and a chapter file without its grading line.
    let source = |file: &str| {
        let text = read_source(file)
            .replace("relu.md#1-the-sigmoid", "relu.md")
            .replace("// ANCHOR: leaky_relu_backward\n", "");
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

/// The chapters come from SUMMARY.md, numbered as mdBook numbers them.
#[test]
fn chapters_and_their_numbers_are_the_books() {
    let summary = "# Summary\n\n[Intro](introduction.md)\n\n- [Graphs](graphs.md)\n- [ReLU](relu.md)\n\n# Appendices\n\n- [Costs](costs.md)\n";
    let chapters: Vec<(usize, String, String)> = book::chapters(summary)
        .into_iter()
        .map(|c| (c.number, c.title, c.page))
        .collect();
    assert_eq!(
        chapters,
        [
            (1, "Graphs".into(), "graphs.md".into()),
            (2, "ReLU".into(), "relu.md".into()),
            (3, "Costs".into(), "costs.md".into())
        ]
    );
    let relu = listed(&read_pages())
        .into_iter()
        .find(|l| l.id().as_deref() == Some("relu::leaky_relu_backward"))
        .unwrap();
    assert_eq!(
        (
            relu.chapter.number,
            relu.chapter.title.as_str(),
            relu.title()
        ),
        (5, "ReLU", "The leaky ReLU")
    );
    assert_eq!(relu.book_link(), "src/relu.md#2-the-leaky-relu");
}

#[test]
fn every_part_has_a_bug_to_find_and_optional_exercises_come_last() {
    let exercises = listed(&read_pages());
    let parts: [&[&str]; 4] = [
        &["computational-graphs.md", "gradient-checking.md"],
        &["tensors.md", "array-operations.md", "relu.md"],
        &["affine-biases.md", "affine-weights.md"],
        &[
            "convolution.md",
            "max-pooling.md",
            "softmax-cross-entropy.md",
            "network.md",
        ],
    ];
    for part in parts {
        let bug = exercises
            .iter()
            .any(|l| part.contains(&l.chapter.page.as_str()) && l.find_the_bug());
        assert!(bug, "no find-the-bug exercise in {part:?}");
    }
    for pair in exercises.windows(2) {
        let same = pair[0].chapter == pair[1].chapter;
        assert!(
            !(same && pair[0].optional() && !pair[1].optional()),
            "{}: an optional exercise before a required one",
            pair[1].heading
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
    assert_no_problems(
        "stubs that do not report \"not yet solved\" as expected",
        unexpected.collect(),
    );
}

#[test]
fn a_todo_a_panic_and_a_failed_check_are_reported_not_raised() {
    let todo_line = line!() + 1;
    let outcome = run(|| todo!());
    assert_eq!(
        outcome,
        Outcome::NotStarted {
            at: format!("{CRATE_DIR}/tests/workbook.rs:{todo_line}")
        }
    );
    let outcome = run(|| {
        let a = ndarray::Array2::<f64>::zeros((2, 3));
        Ok(format!("{}", a.dot(&a)))
    });
    let Outcome::Panicked { message, at } = outcome else {
        panic!("expected a panic, got {outcome:?}")
    };
    assert!(
        message.contains("not compatible for matrix multiplication"),
        "{message}"
    );
    assert!(at.contains("ndarray"), "{at}");
    assert_eq!(
        run(|| Err("dx failed the gradient check".into())),
        Outcome::Wrong("dx failed the gradient check".into())
    );
    assert!(run(|| Ok("fine".into())).solved());
}
