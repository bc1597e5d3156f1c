//! The workbook's own tests.
//!
//! - Both ways (`cargo test -p exercises`, with or without `--features
//!   solutions`): the book and the workbook agree, exercise for exercise.
//! - With `--features solutions` (what `.ci/run` runs): every reference
//!   solution passes its grader, and every committed stub reports "not yet
//!   solved" (a `todo!()` at its own line, or a "find the bug" stub failing
//!   its check with the checker's message).

use exercises::book::{self, problems, Page};
use exercises::{all, Kind};
#[cfg(feature = "solutions")]
use exercises::{Outcome, CRATE_DIR};

fn assert_no_problems(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn every_book_exercise_is_in_the_workbook_and_back() {
    assert_no_problems("the book and the workbook disagree", book::real_problems());
}

/// The real pages with `edit` applied to one of them.
fn edited(page: &str, edit: impl Fn(&str) -> String) -> Vec<Page> {
    book::read_pages()
        .into_iter()
        .map(|(p, t)| {
            let t = if p == page { edit(&t) } else { t };
            (p, t)
        })
        .collect()
}

#[test]
fn the_book_check_catches_each_kind_of_disagreement() {
    let exercises = all();
    let check = |pages: &[Page]| problems(pages, &exercises, book::read_source);
    let cmd = "cargo run -p exercises -- check relu::tanh_backward";

    // A book exercise without a workbook exercise.
    let extra = edited("relu.md", |t| {
        format!("{t}\n### 4. One more\n\nTry it.\n\n`cargo run -p exercises -- check relu::gelu`\n")
    });
    let found = check(&extra);
    assert!(
        found
            .iter()
            .any(|p| p.contains("relu::gelu` names no workbook exercise")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("has 4 exercises, the workbook has 3")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("\"4. One more\" has no workbook exercise")),
        "{found:?}"
    );

    // A workbook exercise whose section is gone.
    let gone = edited("relu.md", |t| t[..t.find("### 3.").unwrap()].to_string());
    let found = check(&gone);
    assert!(
        found.iter().any(|p| p.contains(
            "relu::tanh_backward: exercise 3. The hyperbolic tangent (optional) is missing"
        )),
        "{found:?}"
    );

    // A section that does not end with its command, and one that does not
    // include its solution.
    let no_command = edited("relu.md", |t| {
        t.replace(&format!("`{cmd}`"), "(no command)")
    });
    let found = check(&no_command);
    assert!(
        found
            .iter()
            .any(|p| p.contains(&format!("must end with `{cmd}`"))),
        "{found:?}"
    );
    let no_include = edited("relu.md", |t| {
        t.replace("solutions/relu.rs:tanh_backward", "solutions/relu.rs:tanh")
    });
    let found = check(&no_include);
    assert!(
        found
            .iter()
            .any(|p| p.contains("must show its solution with")),
        "{found:?}"
    );

    // A renamed heading.
    let renamed = edited("relu.md", |t| {
        t.replace("### 1. The sigmoid", "### 1. The logistic")
    });
    let found = check(&renamed);
    assert!(
        found
            .iter()
            .any(|p| p.contains("heading \"1. The logistic\"")),
        "{found:?}"
    );

    // A page with exercises but no chapter module (a new chapter).
    let mut new_chapter = book::read_pages();
    new_chapter.push((
        "softmax.md".into(),
        "# Softmax\n\n## Exercises\n\n### 1. Derive it\n".into(),
    ));
    let found = check(&new_chapter);
    assert!(
        found
            .iter()
            .any(|p| p.contains("src/softmax.md has 1 exercises but no chapter module")),
        "{found:?}"
    );

    // A chapter of the workbook whose page is gone.
    let no_page: Vec<Page> = book::read_pages()
        .into_iter()
        .filter(|(p, _)| p != "tensors.md")
        .collect();
    let found = check(&no_page);
    assert!(
        found
            .iter()
            .any(|p| p.contains("chapter tensors has no page src/tensors.md")),
        "{found:?}"
    );

    // An exercise left as a numbered item with its own solution.
    let numbered = edited("relu.md", |t| {
        t.replace(
            "## Exercises\n",
            "## Exercises\n\n1. Derive GELU.\n\n   <details>\n   <summary>Solution</summary>\n\n   No.\n\n   </details>\n",
        )
    });
    let found = check(&numbered);
    assert!(
        found.iter().any(|p| p.contains("1 of the 4 solutions under ## Exercises are not in a ### section")),
        "{found:?}"
    );

    // A chapter renamed in SUMMARY.md.
    let renamed = edited("SUMMARY.md", |t| t.replace("[ReLU]", "[Rectifiers]"));
    let found = check(&renamed);
    assert!(
        found.iter().any(|p| p.contains("no entry [ReLU](relu.md)")),
        "{found:?}"
    );

    // A stub whose doc comment lost its link, and a solution without anchors.
    let source = |file: &str| {
        book::read_source(file)
            .replace("relu.md#1-the-sigmoid", "relu.md")
            .replace("// ANCHOR: leaky_relu_backward\n", "")
    };
    let found = problems(&book::read_pages(), &exercises, source);
    assert!(
        found
            .iter()
            .any(|p| p.contains("the doc comment of sigmoid_backward must link")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("has no ANCHOR: leaky_relu_backward")),
        "{found:?}"
    );
}

#[cfg(feature = "solutions")]
#[test]
fn every_solution_passes_its_grader() {
    let failures: Vec<String> = all()
        .iter()
        .filter_map(|e| match e.grade() {
            Outcome::Solved(_) => None,
            other => Some(format!("{}: {other:?}", e.id())),
        })
        .collect();
    assert_no_problems("solutions that fail", failures);
}

#[cfg(feature = "solutions")]
#[test]
fn every_stub_reports_not_yet_solved() {
    let mut unexpected = Vec::new();
    for e in all() {
        let outcome = e.grade_stub();
        let ok = match (e.kind, &outcome) {
            // Stopped at the stub's own todo!(), and says where.
            (Kind::Derive, Outcome::NotStarted { at }) => {
                let (file, line) = at.rsplit_once(':').unwrap_or_default();
                let text = book::read_source(file.trim_start_matches(&format!("{CRATE_DIR}/")));
                let line: usize = line.parse().unwrap_or(0);
                file == format!("{CRATE_DIR}/{}", e.stub_file())
                    && text
                        .lines()
                        .nth(line.wrapping_sub(1))
                        .is_some_and(|l| l.contains("todo!()"))
            }
            // Failed one of the book's checks, with the checker's words.
            (Kind::FindTheBug, Outcome::Wrong(message)) => {
                message.contains("failed the gradient check")
                    || message.contains("gradient check failed")
            }
            _ => false,
        };
        if !ok {
            unexpected.push(format!("{}: {outcome:?}", e.id()));
        }
    }
    assert_no_problems(
        "stubs that do not report \"not yet solved\" as expected",
        unexpected,
    );
}

#[test]
fn difficulty_and_kinds_are_as_the_issue_asks() {
    let exercises = all();
    // A "find the bug" exercise in every part: scalar graphs, tensors, affine.
    let parts: [&[&str]; 4] = [
        &["computational_graphs", "gradient_checking"],
        &["tensors", "array_operations", "relu"],
        &["affine_biases", "affine_weights"],
        // Beyond the post, once its chapters have exercises.
        &["convolution", "max_pooling", "softmax", "network"],
    ];
    for part in parts {
        let in_part: Vec<_> = exercises
            .iter()
            .filter(|e| part.contains(&e.module))
            .collect();
        assert!(
            in_part.is_empty() || in_part.iter().any(|e| e.kind == Kind::FindTheBug),
            "no find-the-bug exercise in {part:?}"
        );
    }
    // Optional exercises come last in their chapter.
    for chapter in exercises::CHAPTERS {
        let optional: Vec<bool> = exercises
            .iter()
            .filter(|e| e.module == chapter.module)
            .map(|e| e.optional())
            .collect();
        assert!(
            optional.windows(2).all(|w| w[0] <= w[1]),
            "{}: an optional exercise before a required one",
            chapter.module
        );
        assert!(!optional.is_empty(), "{} has no exercise", chapter.module);
    }
}

#[test]
fn a_todo_a_panic_and_a_failed_check_are_reported_not_raised() {
    use exercises::{run, Outcome};
    let todo_line = line!() + 1;
    let outcome = run(|| todo!());
    assert_eq!(
        outcome,
        Outcome::NotStarted {
            at: format!("{}/tests/workbook.rs:{todo_line}", exercises::CRATE_DIR)
        }
    );
    let outcome = run(|| {
        let a = ndarray::Array2::<f64>::zeros((2, 3));
        Ok(format!("{}", a.dot(&a)))
    });
    match outcome {
        Outcome::Panicked { message, at } => {
            assert!(
                message.contains("not compatible for matrix multiplication"),
                "{message}"
            );
            assert!(at.contains("ndarray"), "{at}");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert_eq!(
        run(|| Err("dx failed the gradient check".into())),
        Outcome::Wrong("dx failed the gradient check".into())
    );
    assert!(run(|| Ok("fine".into())).solved());
}
