//! The workbook's runner.
//!
//! ```text
//! cargo run -p exercises                        your progress, and the next exercise
//! cargo run -p exercises -- check <id>          grade one exercise, e.g. relu::sigmoid_backward
//! cargo run -p exercises -- --expect-all-unsolved
//!                                               (CI) every stub must report "not yet solved"
//! ```

use exercises::book::{workbook, Listed};
use exercises::{unsolved_as_it_should_be, Exercise, Outcome, CRATE_DIR};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => progress(),
        ["check", id] => check(id),
        ["--expect-all-unsolved"] => expect_all_unsolved(),
        _ => {
            eprintln!("usage: cargo run -p exercises [-- check <chapter>::<exercise>]");
            eprintln!("       cargo run -p exercises -- --expect-all-unsolved");
            ExitCode::from(2)
        }
    }
}

/// "chapter 5, ReLU, exercise 2, "The leaky ReLU"".
fn name(l: &Listed) -> String {
    let (c, number) = (&l.chapter, l.heading.split('.').next().unwrap_or("?"));
    let (n, chapter, title) = (c.number, &c.title, l.title());
    format!("chapter {n}, {chapter}, exercise {number}, \"{title}\"")
}

/// Where to start on an exercise that is not solved yet, and why.
fn explain(l: &Listed, e: &Exercise, outcome: &Outcome) -> String {
    let (at, f) = (e.location(), e.function);
    let indent = |m: &str| m.lines().map(|l| format!("    {l}\n")).collect::<String>();
    let why = match outcome {
        Outcome::Solved(summary) => return format!("  solved: {summary}\n"),
        Outcome::NotStarted { at: todo } => {
            let todo = if todo.is_empty() { &at } else { todo };
            format!("replace the todo!() at {todo} with your answer\n")
        }
        Outcome::Wrong(message) => {
            format!("{f} at {at} does not pass its check:\n{}", indent(message))
        }
        Outcome::Panicked { message, at: panic } => {
            format!("{f} at {at} panicked at {panic}:\n{}", indent(message))
        }
    };
    let (link, command) = (l.book_link(), e.command());
    format!("  not yet solved: {why}  read:  {link}\n  check: {command}\n")
}

fn progress() -> ExitCode {
    let exercises = workbook();
    let outcomes: Vec<Outcome> = exercises.iter().map(|(_, e)| e.grade()).collect();
    let solved = outcomes.iter().filter(|o| o.solved()).count();
    let total = exercises.len();
    let filled = (solved * 30).div_ceil(total.max(1));
    let bar = format!("{}{}", "#".repeat(filled), "-".repeat(30 - filled));
    println!("Local Gradients workbook: {solved} of {total} exercises solved  [{bar}]");
    let mut chapter = 0;
    for ((l, e), o) in exercises.iter().zip(&outcomes) {
        if l.chapter.number != chapter {
            chapter = l.chapter.number;
            println!("\n{chapter}. {}  (src/{})", l.chapter.title, l.chapter.page);
        }
        let mark = match o {
            Outcome::Solved(_) => "[x]",
            Outcome::NotStarted { .. } => "[ ]",
            Outcome::Wrong(_) | Outcome::Panicked { .. } => "[!]",
        };
        let bug = if l.find_the_bug() {
            "  (fix the bug)"
        } else {
            ""
        };
        println!("  {mark} {:<56} {}{bug}", l.heading, e.id());
    }
    println!("\n[x] solved   [ ] not yet solved (todo!)   [!] not yet solved (fails its check)");
    match exercises.iter().zip(&outcomes).find(|(_, o)| !o.solved()) {
        Some(((l, e), o)) => {
            println!("\nNext: {}", name(l));
            print!("{}", explain(l, e, o));
            println!("\nThe stubs are in {CRATE_DIR}/src/, one file per chapter. Run `cargo run -p exercises` again to see your progress.");
        }
        None => println!("\nEvery exercise is solved. Well done!"),
    }
    ExitCode::SUCCESS
}

fn check(id: &str) -> ExitCode {
    let exercises = workbook();
    let Some((l, e)) = exercises.iter().find(|(_, e)| e.id() == id) else {
        eprintln!("no exercise {id:?}; the exercises are:");
        exercises
            .iter()
            .for_each(|(_, e)| eprintln!("  {}", e.id()));
        return ExitCode::from(2);
    };
    println!("{id}: {}", name(l));
    let outcome = e.grade();
    print!("{}", explain(l, e, &outcome));
    ExitCode::from(u8::from(!outcome.solved()))
}

/// For CI: every stub reports "not yet solved" as it should, and the book
/// and the workbook agree.
fn expect_all_unsolved() -> ExitCode {
    let (mut problems, exercises) = (exercises::book::real_problems(), workbook());
    for (l, e) in &exercises {
        let outcome = e.grade_stub();
        let ok = unsolved_as_it_should_be(l, e, &outcome);
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
    if !problems.is_empty() {
        eprintln!("stubs that do not report \"not yet solved\" as expected, and disagreements with the book:");
        problems.iter().for_each(|p| eprintln!("  {p}"));
        return ExitCode::FAILURE;
    }
    let bugs = exercises.iter().filter(|(l, _)| l.find_the_bug()).count();
    let (n, todo) = (exercises.len(), exercises.len() - bugs);
    println!("all {n} stubs report \"not yet solved\": {todo} stop at their todo!(), {bugs} \"find the bug\" stubs fail their check");
    ExitCode::SUCCESS
}
