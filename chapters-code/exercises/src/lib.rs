//! # The Local Gradients workbook
//!
//! Every exercise of the book as a function to write, one module per
//! chapter: above a chapter file's `// Grading` line its stubs (a `todo!()`,
//! or in a "find the bug" exercise a backward pass with one classic mistake),
//! below it their graders, built from the book's own checks and the numbers
//! the chapter states. The book is the list of exercises ([`book`]).
//! `cargo run -p exercises` shows your progress; with `--features solutions`
//! the graders run on the reference solutions (`src/solutions/`) instead.

use book::{Listed, Page, CHECK};
use std::cell::{Cell, RefCell};
use std::panic;
use std::path::Path;

pub mod book;
mod grade;

/// Declares the chapters' modules of stubs and of solutions, `graded` (the
/// stubs, or with `--features solutions` the solutions), and [`all`].
macro_rules! chapters {
    ($($chapter:ident),*) => {
        $(pub mod $chapter;)*
        #[cfg(feature = "solutions")]
        pub mod solutions { $(pub mod $chapter;)* }
        #[cfg(feature = "solutions")]
        use solutions as graded;
        #[cfg(not(feature = "solutions"))]
        use crate as graded;
        /// Every exercise of the workbook, chapter by chapter.
        pub fn all() -> Vec<Exercise> { [$($chapter::exercises()),*].concat() }
    };
}
chapters! {
    computational_graphs, gradient_checking, tensors, relu, affine_biases, affine_weights,
    array_operations, convolution, max_pooling, softmax, network, autograd
}

/// A chapter's exercises, each `function => |m| grader` (calling `m::function`):
/// defines its `exercises()`, and imports [`grade`] into the chapter's module.
macro_rules! exercises {
    ($chapter:ident: $($function:ident => |$m:ident| $grade:expr;)*) => {
        use $crate::grade::*;
        pub(crate) fn exercises() -> Vec<$crate::Exercise> {
            vec![$($crate::Exercise {
                module: stringify!($chapter),
                function: stringify!($function),
                graded: { fn g() -> $crate::Verdict { use $crate::graded::$chapter as $m; $grade } g },
            }),*]
        }
    };
}
pub(crate) use exercises;

/// The workbook's folder, from the repository's root.
pub const CRATE_DIR: &str = "chapters-code/exercises";

/// The folder of the functions that this build grades.
#[cfg(not(feature = "solutions"))]
pub const GRADED: &str = "src";
#[cfg(feature = "solutions")]
pub const GRADED: &str = "src/solutions";

/// `Ok(what passed)` or `Err(why the answer is wrong)`.
pub type Verdict = Result<String, String>;

/// A function to write in a chapter's module, with its grader, which grades
/// the stub, or with `--features solutions` the solution.
#[derive(Debug, Clone, Copy)]
pub struct Exercise {
    pub module: &'static str,
    pub function: &'static str,
    graded: fn() -> Verdict,
}

impl Exercise {
    pub fn id(&self) -> String {
        format!("{}::{}", self.module, self.function)
    }

    pub fn grade(&self) -> Outcome {
        run(self.graded)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Solved(String),
    /// The code reached the `todo!()` at `<file>:<line>`.
    NotStarted(String),
    /// Why: a failed check, or where and why the code panicked.
    Wrong(String),
}

impl Outcome {
    pub fn solved(&self) -> bool {
        matches!(self, Outcome::Solved(_))
    }
}

/// Above this line a chapter's file is the reader's, below it machinery.
pub const GRADING: &str = "// Grading";

/// The book's pages, `src/*.md`, by name.
pub fn read_pages() -> Vec<Page> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let names = std::fs::read_dir(dir).expect("the book's src/");
    let names =
        names.map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    let page = |name: String| {
        (name.clone(), read_source(&format!("../../src/{name}")))
    };
    let mut pages: Vec<Page> =
        names.filter(|n| n.ends_with(".md")).map(page).collect();
    pages.sort();
    pages
}

/// A file of this crate, relative to the crate (`src/relu.rs`).
pub fn read_source(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap_or_default()
}

/// The index of the line `pub fn <function>(` (or `<`) in `source`.
pub fn function_line(source: &str, function: &str) -> Option<usize> {
    let name = |l: &str| {
        Some(l.strip_prefix("pub fn ")?.split(['(', '<']).next()? == function)
    };
    source.lines().position(|l| name(l) == Some(true))
}

/// The workbook in the book's order, each exercise with its section. Those
/// the book and the workbook disagree on are left out (see [`problems`]).
pub fn workbook() -> Vec<(Listed, Exercise)> {
    let all = all();
    let graded = |l: Listed| {
        Some((l.clone(), *all.iter().find(|e| Some(e.id()) == l.id())?))
    };
    let listed = book::listed(&read_pages());
    listed.into_iter().filter_map(graded).collect()
}

/// Every disagreement between the book's pages and the workbook's exercises,
/// one sentence each; `source` reads a file of this crate.
pub fn problems(
    pages: &[Page],
    source: impl Fn(&str) -> String,
) -> Vec<String> {
    let (all, mut problems) = (all(), Vec::new());
    macro_rules! problem {
        ($($why:tt)*) => { problems.push(format!($($why)*)) };
    }
    for (page, text) in pages {
        for (n, line) in (1..).zip(text.lines()) {
            for id in book::commands(line)
                .filter(|id| all.iter().all(|e| &e.id() != id))
            {
                problem!(
                    "src/{page}:{n}: `{CHECK}{id}` names no workbook exercise"
                );
            }
        }
    }
    let listed = book::listed(pages);
    for e in &all {
        let (id, f, m) = (e.id(), e.function, e.module);
        let command = format!("{CHECK}{id}");
        let named = |l: &&Listed| l.id().as_ref() == Some(&id);
        let at: Vec<&Listed> = listed.iter().filter(named).collect();
        let [l] = at[..] else {
            let n = at.len();
            problem!("{id}: the book has {n} sections that end with `{command}`, not 1");
            continue;
        };
        let (page, line, heading) = (&l.chapter.page, l.line, &l.heading);
        // That its anchor exists is the book's include check (tests/meta.rs).
        let include =
            format!("{{{{#include ../{CRATE_DIR}/src/solutions/{m}.rs:{f}}}}}");
        if l.body.iter().all(|b| b.trim() != include) {
            problem!("src/{page}:{line}: \"{heading}\" must show its solution with {include}");
        }
        // The stub's doc comment links to its section and gives its command.
        let (file, link) =
            (format!("src/{m}.rs"), format!("../../../{}", l.book_link()));
        let stub = source(&file);
        let lines: Vec<&str> = stub.lines().collect();
        let at = function_line(&stub, f).unwrap_or(0);
        let above = lines[..at].iter().rev();
        let doc: String = above.map_while(|l| l.strip_prefix("///")).collect();
        if !doc.contains(&link) || !doc.contains(&format!("`{command}`")) {
            problem!("{file}: the doc comment of {f} must link to {link} and give `{command}`");
        }
        let grading = lines.iter().position(|l| l.starts_with(GRADING));
        if grading.is_none_or(|g| at > g) {
            problem!("{file}: {f} must come before the line `{GRADING}`");
        }
    }
    problems
}

thread_local! {
    /// Whether a grader runs on this thread: the hook then records its
    /// panic as an [`Outcome`] instead of printing it.
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static PANIC: RefCell<Option<Outcome>> = const { RefCell::new(None) };
}

/// Runs a grader, and turns a `todo!()` (or any panic) into an [`Outcome`]
/// instead of a panic trace.
pub fn run(grader: fn() -> Verdict) -> Outcome {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !RUNNING.get() {
                return default(info);
            }
            let message = info.payload_as_str().unwrap_or("(no message)");
            let location = info.location().map(|l| (l.file(), l.line()));
            let at =
                location.map_or(String::new(), |(f, n)| format!("{f}:{n}"));
            // A panic inside a dependency (ndarray's `dot`, say): name the
            // reader's line that called it, and the dependency's file.
            let at = match (!at.starts_with(CRATE_DIR))
                .then(exercise_frame)
                .flatten()
            {
                Some(frame) => {
                    let registry =
                        at.split_once("/registry/src/").map(|(_, p)| p);
                    let inside =
                        registry.and_then(|p| Some(p.split_once('/')?.1));
                    format!("{frame} (inside {})", inside.unwrap_or(&at))
                }
                None => at,
            };
            PANIC.set(Some(match message.starts_with("not yet implemented") {
                true => Outcome::NotStarted(at),
                false => {
                    Outcome::Wrong(format!("panicked at {at}:\n{message}"))
                }
            }));
        }));
    });
    RUNNING.set(true);
    let result = panic::catch_unwind(grader);
    RUNNING.set(false);
    match result {
        Ok(Ok(summary)) => Outcome::Solved(summary),
        Ok(Err(why)) => Outcome::Wrong(why),
        Err(_) => PANIC.take().expect("the hook records the panic"),
    }
}

/// The innermost `file:line` of the backtrace in the reader's code. The
/// alternate form (`{:#}`) keeps whole paths; the plain form shortens those
/// under the working directory to `./…`, dropping the [`CRATE_DIR`] sought.
fn exercise_frame() -> Option<String> {
    let trace = format!("{:#}", std::backtrace::Backtrace::force_capture());
    trace.lines().find_map(|line| {
        let at = line.trim().strip_prefix("at ")?;
        let at = at[at.find(CRATE_DIR)?..].rsplit_once(':')?.0;
        readers(at).then(|| at.to_string())
    })
}

/// Whether `chapters-code/exercises/<file>:<line>` is in the reader's code:
/// a solution, or a chapter's file above its `// Grading` line.
pub fn readers(at: &str) -> bool {
    let file_line = at.strip_prefix(&format!("{CRATE_DIR}/"));
    let Some((file, line)) = file_line.and_then(|a| a.rsplit_once(':')) else {
        return false;
    };
    let source = read_source(file);
    let grading = source.lines().position(|l| l.starts_with(GRADING));
    let above = |n: usize| grading.is_some_and(|g| n <= g);
    let above = line.parse().is_ok_and(above);
    file.starts_with("src/solutions/") || above
}
