//! The workbook's runner.
//!
//! ```text
//! cargo run -p exercises                        your progress, and the next exercise
//! cargo run -p exercises -- check <id>          grade one exercise, e.g. relu::sigmoid_backward
//! cargo run -p exercises -- --expect-all-unsolved
//!                                               (CI) every stub must report "not yet solved"
//! ```

use exercises::{all, find, Exercise, Kind, Outcome, CHAPTERS, CRATE_DIR};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => progress(),
        ["check", id] => check(id),
        ["--expect-all-unsolved"] => expect_all_unsolved(),
        _ => {
            eprintln!(
                "usage: cargo run -p exercises [-- check <chapter>::<exercise>]\n       \
                 cargo run -p exercises -- --expect-all-unsolved"
            );
            ExitCode::from(2)
        }
    }
}

/// Where to start on an exercise that is not solved yet, and why.
fn explain(e: &Exercise, outcome: &Outcome) -> String {
    let file = e.graded_file();
    let mut out = String::new();
    match outcome {
        Outcome::Solved(summary) => out.push_str(&format!("  solved: {summary}\n")),
        Outcome::NotStarted { at } => {
            let at = if at.is_empty() {
                e.location_in(&file)
            } else {
                at.clone()
            };
            out.push_str(&format!(
                "  not yet solved: replace the todo!() at {at} with your answer\n"
            ));
        }
        Outcome::Wrong(message) => {
            out.push_str(&format!(
                "  not yet solved: {} at {} does not pass its check:\n",
                e.function,
                e.location_in(&file)
            ));
            for line in message.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        Outcome::Panicked { message, at } => {
            out.push_str(&format!(
                "  not yet solved: {} at {} panicked at {at}:\n",
                e.function,
                e.location_in(&file)
            ));
            for line in message.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    if !outcome.solved() {
        out.push_str(&format!("  read:  {}\n", e.book_link()));
        out.push_str(&format!("  check: {}\n", e.command()));
    }
    out
}

fn progress() -> ExitCode {
    let exercises = all();
    let outcomes: Vec<Outcome> = exercises.iter().map(Exercise::grade).collect();
    let solved = outcomes.iter().filter(|o| o.solved()).count();
    let total = exercises.len();
    let width = 30;
    let filled = (solved * width).div_ceil(total);
    println!(
        "Local Gradients workbook: {solved} of {total} exercises solved  [{}{}]",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    for chapter in CHAPTERS {
        println!("\n{}  (src/{})", chapter.title, chapter.page);
        for (e, o) in exercises.iter().zip(&outcomes) {
            if e.module != chapter.module {
                continue;
            }
            let mark = match o {
                Outcome::Solved(_) => "[x]",
                Outcome::NotStarted { .. } => "[ ]",
                Outcome::Wrong(_) | Outcome::Panicked { .. } => "[!]",
            };
            let bug = if e.kind == Kind::FindTheBug {
                "  (fix the bug)"
            } else {
                ""
            };
            println!("  {mark} {:<56} {}{bug}", e.heading(), e.id());
        }
    }
    println!("\n[x] solved   [ ] not yet solved (todo!)   [!] not yet solved (fails its check)");
    match exercises.iter().zip(&outcomes).find(|(_, o)| !o.solved()) {
        Some((e, o)) => {
            println!(
                "\nNext: {} exercise {}, \"{}\"",
                e.chapter().title,
                e.number(),
                e.title
            );
            print!("{}", explain(e, o));
            println!(
                "\nThe stubs are in {CRATE_DIR}/src/, one file per chapter. Run \
                 `cargo run -p exercises` again to see your progress."
            );
        }
        None => println!("\nEvery exercise is solved. Well done!"),
    }
    ExitCode::SUCCESS
}

fn check(id: &str) -> ExitCode {
    let Some(e) = find(id) else {
        eprintln!("no exercise {id:?}; the exercises are:");
        for e in all() {
            eprintln!("  {}", e.id());
        }
        return ExitCode::from(2);
    };
    println!(
        "{}: {} exercise {}, \"{}\"",
        e.id(),
        e.chapter().title,
        e.number(),
        e.title
    );
    let outcome = e.grade();
    print!("{}", explain(&e, &outcome));
    if outcome.solved() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// For CI: every stub reports "not yet solved" the way it should: a
/// `todo!()` stub stops at its `todo!()` in its own file, and a "find the
/// bug" stub fails its check with the checker's message.
fn expect_all_unsolved() -> ExitCode {
    let mut problems = Vec::new();
    let exercises = all();
    for e in &exercises {
        let outcome = e.grade_stub();
        let ok = match (e.kind, &outcome) {
            (Kind::Derive, Outcome::NotStarted { at }) => {
                at.starts_with(&format!("{CRATE_DIR}/{}:", e.stub_file()))
            }
            (Kind::FindTheBug, Outcome::Wrong(message)) => message.contains("failed"),
            _ => false,
        };
        let verdict = if ok {
            "not yet solved, as it should be"
        } else {
            "UNEXPECTED"
        };
        println!("{:<52} {verdict}", e.id());
        if !ok {
            problems.push(format!("{}: {outcome:?}", e.id()));
        }
    }
    if problems.is_empty() {
        let bugs = exercises
            .iter()
            .filter(|e| e.kind == Kind::FindTheBug)
            .count();
        println!(
            "all {} stubs report \"not yet solved\": {} stop at their todo!(), {bugs} \"find \
             the bug\" stubs fail their check",
            exercises.len(),
            exercises.len() - bugs
        );
        ExitCode::SUCCESS
    } else {
        eprintln!("stubs that do not report \"not yet solved\" as expected:");
        for p in problems {
            eprintln!("  {p}");
        }
        ExitCode::FAILURE
    }
}
