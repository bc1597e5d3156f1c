//! The workbook's runner: `cargo run -p exercises` shows your progress and
//! the next exercise, `-- check <chapter>::<exercise>` grades one, and
//! `-- --expect-all-unsolved` (for CI) checks every stub and the book.

use exercises::book::{Listed, CHECK};
use exercises::{
    problems, read_pages, read_source, readers, workbook, Exercise, Outcome,
    CRATE_DIR, GRADED,
};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => progress(),
        ["check", id] => check(id),
        ["--expect-all-unsolved"] => expect_all_unsolved(),
        _ => {
            eprintln!("usage: cargo run -p exercises [-- check <chapter>::<exercise>]\n       cargo run -p exercises -- --expect-all-unsolved");
            ExitCode::from(2)
        }
    }
}

/// "chapter 4, ReLU, exercise 2, "The leaky ReLU"", then what passed, or
/// where to start and why.
fn explain(l: &Listed, e: &Exercise, outcome: &Outcome) -> String {
    let (n, chapter) = (l.chapter.number, &l.chapter.title);
    let (number, title) =
        (l.heading.split('.').next().unwrap_or("?"), l.title());
    let name =
        format!("chapter {n}, {chapter}, exercise {number}, \"{title}\"\n");
    let (f, file) =
        (e.function, format!("{CRATE_DIR}/{GRADED}/{}.rs", e.module));
    let indent =
        |m: &str| m.lines().map(|l| format!("    {l}\n")).collect::<String>();
    let why = match outcome {
        Outcome::Solved(summary) => {
            return format!("{name}  solved: {summary}\n")
        }
        Outcome::NotStarted(at) => {
            format!("replace the todo!() at {at} with your answer\n")
        }
        Outcome::Wrong(m) => {
            format!("{f} in {file} does not pass its check:\n{}", indent(m))
        }
    };
    let (link, id) = (l.book_link(), e.id());
    format!(
        "{name}  not yet solved: {why}  read:  {link}\n  check: {CHECK}{id}\n"
    )
}

fn progress() -> ExitCode {
    let graded = workbook().into_iter().map(|(l, e)| (e.grade(), l, e));
    let graded: Vec<_> = graded.collect();
    let (solved, total) =
        (graded.iter().filter(|g| g.0.solved()).count(), graded.len());
    let filled = (solved * 30).div_ceil(total.max(1));
    let bar = format!("{}{}", "#".repeat(filled), "-".repeat(30 - filled));
    println!("Local Gradients workbook: {solved} of {total} exercises solved  [{bar}]");
    let mut chapter = 0;
    for (o, l, e) in &graded {
        if l.chapter.number != chapter {
            chapter = l.chapter.number;
            println!(
                "\n{chapter}. {}  (src/{})",
                l.chapter.title, l.chapter.page
            );
        }
        let mark = match o {
            Outcome::Solved(_) => "[x]",
            Outcome::NotStarted(_) => "[ ]",
            Outcome::Wrong(_) => "[!]",
        };
        let (id, bug) = (e.id(), l.find_the_bug().then_some("  (fix the bug)"));
        println!(
            "  {mark} {:<56} {id}{}",
            l.plain_heading(),
            bug.unwrap_or("")
        );
    }
    println!("\n[x] solved   [ ] not yet solved (todo!)   [!] not yet solved (fails its check)");
    let Some((o, l, e)) = graded.iter().find(|g| !g.0.solved()) else {
        println!("\nEvery exercise is solved. Well done!");
        return ExitCode::SUCCESS;
    };
    print!("\nNext: {}", explain(l, e, o));
    println!("\nThe stubs are in {CRATE_DIR}/src/, one file per chapter. Run `cargo run -p exercises` again to see your progress.");
    ExitCode::SUCCESS
}

fn check(id: &str) -> ExitCode {
    let workbook = workbook();
    let Some((l, e)) = workbook.iter().find(|(_, e)| e.id() == id) else {
        let ids: Vec<String> = workbook.iter().map(|(_, e)| e.id()).collect();
        eprintln!(
            "no exercise {id:?}; the exercises are:\n  {}",
            ids.join("\n  ")
        );
        return ExitCode::from(2);
    };
    let outcome = e.grade();
    print!("{id}: {}", explain(l, e, &outcome));
    ExitCode::from(u8::from(!outcome.solved()))
}

/// For CI, built without `solutions`: the book and the workbook agree, a
/// `todo!()` stub stops at a `todo!()` in its own file, and a "find the bug"
/// stub fails the gradient check, which names the worst entries.
fn expect_all_unsolved() -> ExitCode {
    let workbook = workbook();
    let mut problems = problems(&read_pages(), read_source);
    for (l, e) in &workbook {
        let outcome = e.grade();
        let ok = match &outcome {
            // In its own file, above `// Grading`: the line of its todo!().
            Outcome::NotStarted(at) if !l.find_the_bug() => {
                at.starts_with(&format!("{CRATE_DIR}/src/{}.rs:", e.module))
                    && readers(at)
            }
            Outcome::Wrong(m) if l.find_the_bug() => {
                m.contains("gradient check failed") && m.contains("index [")
            }
            _ => false,
        };
        if !ok {
            let id = e.id();
            problems.push(format!(
                "{id} does not report not yet solved: {outcome:?}"
            ));
        }
    }
    let bugs = workbook.iter().filter(|(l, _)| l.find_the_bug()).count();
    let (n, todo) = (workbook.len(), workbook.len() - bugs);
    if problems.is_empty() {
        println!("all {n} stubs report \"not yet solved\": {todo} stop at their todo!(), {bugs} \"find the bug\" stubs fail their check");
        return ExitCode::SUCCESS;
    }
    eprintln!("stubs that do not report \"not yet solved\" as expected, and disagreements with the book:\n  {}", problems.join("\n  "));
    ExitCode::FAILURE
}
