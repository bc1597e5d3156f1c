//! # The Local Gradients workbook
//!
//! Every exercise of the book as a function to write, one module per
//! chapter. A stub's body is `todo!()` (or, in a "find the bug" exercise, a
//! backward pass with one classic mistake). Each chapter's file holds its
//! stubs, their docs (with the link to the book's section), and, at its
//! end, how each exercise is graded: the book's own checks (the gradient
//! check, `backprop::layer_check`'s explicit-Jacobian comparison) and the
//! numbers the chapter states. The book is the list of exercises: their
//! chapters, numbers and titles come from `src/SUMMARY.md` and the pages'
//! `## Exercises` sections ([`book`]).
//!
//! `cargo run -p exercises` shows your progress and where to go next;
//! `cargo run -p exercises -- check <chapter>::<exercise>` grades one
//! exercise. With `--features solutions` the graders run on the reference
//! solutions in `src/solutions/` instead, which the book shows in its
//! `<details>` blocks.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

pub mod book;
mod grade;

/// Declares the chapters' modules of stubs, their reference solutions
/// (shown in the book; only with `--features solutions`), and [`all`].
macro_rules! chapters {
    ($($chapter:ident),*) => {
        $(pub mod $chapter;)*
        #[cfg(feature = "solutions")]
        pub mod solutions { $(pub mod $chapter;)* }
        /// The modules this build grades: the stubs, or with
        /// `--features solutions` the reference solutions.
        mod graded {
            #[cfg(feature = "solutions")]
            pub(crate) use crate::solutions::{$($chapter),*};
            #[cfg(not(feature = "solutions"))]
            pub(crate) use crate::{$($chapter),*};
        }
        /// Every exercise of the workbook, chapter by chapter.
        pub fn all() -> Vec<Exercise> { [$($chapter::exercises()),*].concat() }
    };
}
chapters! {
    computational_graphs, gradient_checking, tensors, array_operations, relu, affine_biases,
    affine_weights, convolution, max_pooling, softmax, network
}

/// The workbook's folder, from the repository's root.
pub const CRATE_DIR: &str = "chapters-code/exercises";

/// The folder of the functions that this build grades: the stubs, or with
/// `--features solutions` the reference solutions.
#[cfg(not(feature = "solutions"))]
const GRADED: &str = "src";
#[cfg(feature = "solutions")]
const GRADED: &str = "src/solutions";

/// `Ok(a summary of what passed)` or `Err(why the answer is wrong)`.
pub type Verdict = Result<String, String>;

/// One exercise as the workbook knows it: a function in a chapter's module
/// and its grader. Its number, title and chapter are the book's
/// ([`book::Listed`]).
#[derive(Debug, Clone, Copy)]
pub struct Exercise {
    /// The chapter's module (`src/<module>.rs`) and the function to write.
    pub module: &'static str,
    pub function: &'static str,
    /// The grader of the stub, and of what this build grades: the stub, or
    /// with `--features solutions` the reference solution.
    stub: fn() -> Verdict,
    graded: fn() -> Verdict,
}

/// A chapter's exercises, each `function => |m| grader`, where the grader
/// calls `m::function`: `m` is the chapter's module of stubs, or with
/// `--features solutions` also its module of solutions. Defines the
/// chapter's `exercises()`.
macro_rules! exercises {
    ($chapter:ident: $($function:ident => |$m:ident| $grade:expr;)*) => {
        /// This chapter's exercises, in the order of this file.
        pub(crate) fn exercises() -> Vec<$crate::Exercise> {
            vec![$($crate::Exercise {
                module: stringify!($chapter),
                function: stringify!($function),
                stub: { fn g() -> $crate::Verdict { use $crate::$chapter as $m; $grade } g },
                graded: {
                    fn g() -> $crate::Verdict { use $crate::graded::$chapter as $m; $grade }
                    g
                },
            }),*]
        }
    };
}
pub(crate) use exercises;

impl Exercise {
    /// `<chapter module>::<function>`, the name the runner's `check` takes.
    pub fn id(&self) -> String {
        format!("{}::{}", self.module, self.function)
    }

    /// The one command that checks just this exercise.
    pub fn command(&self) -> String {
        format!("{}{}", book::CHECK, self.id())
    }

    /// The stub's file, relative to the crate.
    pub fn stub_file(&self) -> String {
        format!("src/{}.rs", self.module)
    }

    /// `<file>:<line>` of the function that the runner grades, from the
    /// repository's root: the stub, or with `--features solutions` the
    /// reference solution.
    pub fn location(&self) -> String {
        let file = format!("{GRADED}/{}.rs", self.module);
        let line = book::function_line(&book::read_source(&file), self.function);
        format!("{CRATE_DIR}/{file}:{}", line.map_or(1, |i| i + 1))
    }

    /// Grades what this build selects: the stub, or with
    /// `--features solutions` the reference solution.
    pub fn grade(&self) -> Outcome {
        run(self.graded)
    }

    /// Grades the stub in `src/<module>.rs`, whatever the features.
    pub fn grade_stub(&self) -> Outcome {
        run(self.stub)
    }
}

/// Whether a stub reports "not yet solved" the way it should: a `todo!()`
/// stub stops at the `todo!()` in its own file, and a "find the bug" stub
/// fails the gradient check, with the checker's message naming the worst
/// entries.
pub fn unsolved_as_it_should_be(l: &book::Listed, e: &Exercise, outcome: &Outcome) -> bool {
    match outcome {
        Outcome::NotStarted { at } if !l.find_the_bug() => {
            let (file, stub) = (e.stub_file(), book::read_source(&e.stub_file()));
            let prefix = format!("{CRATE_DIR}/{file}:");
            let line = at.strip_prefix(&prefix).and_then(|n| n.parse().ok());
            let line = line.and_then(|n: usize| stub.lines().nth(n.checked_sub(1)?));
            line.is_some_and(|l| l.contains("todo!()"))
        }
        Outcome::Wrong(message) if l.find_the_bug() => {
            message.contains("gradient check failed") && message.contains("index [")
        }
        _ => false,
    }
}

/// The grade of one exercise.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every check passed; what they measured.
    Solved(String),
    /// The code reached a `todo!()`, at this `file:line`.
    NotStarted { at: String },
    /// A check failed, with the checker's message.
    Wrong(String),
    /// The code panicked (not at a `todo!()`), with this message, at this
    /// `file:line`.
    Panicked { message: String, at: String },
}

impl Outcome {
    /// Whether every check passed.
    pub fn solved(&self) -> bool {
        matches!(self, Outcome::Solved(_))
    }
}

thread_local! {
    /// Set while a grader runs on this thread: its panics are caught and
    /// reported, so the panic hook stays quiet.
    static GRADING: Cell<bool> = const { Cell::new(false) };
    /// The last caught panic's message and `file:line`.
    static PANIC: RefCell<(String, String)> = RefCell::default();
}

/// Runs a grader and turns a `todo!()` (or any panic) into an [`Outcome`]
/// instead of a panic trace.
pub fn run(grader: fn() -> Verdict) -> Outcome {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GRADING.get() {
                return default(info);
            }
            let message = info
                .payload_as_str()
                .unwrap_or("(a panic without a message)");
            let at = info.location().map_or(String::new(), |l| format!("{l}"));
            let at = at.rsplit_once(':').map_or(&*at, |(at, _column)| at);
            // A panic inside a dependency (ndarray's `dot` on the wrong
            // shapes, say): name the reader's line that called it, and the
            // dependency's file from its package's folder on.
            let frame = (!at.starts_with(CRATE_DIR)).then(exercise_frame).flatten();
            let registry = at.split_once("/registry/src/").map(|(_, path)| path);
            let inside = registry.and_then(|path| Some(path.split_once('/')?.1));
            let at = match frame {
                Some(frame) => format!("{frame} (inside {})", inside.unwrap_or(at)),
                None => at.to_string(),
            };
            PANIC.set((message.to_string(), at));
        }));
    });
    GRADING.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(grader));
    GRADING.set(false);
    match result {
        Ok(Ok(summary)) => Outcome::Solved(summary),
        Ok(Err(message)) => Outcome::Wrong(message),
        Err(_) => match PANIC.take() {
            (message, at) if message.starts_with("not yet implemented") => {
                Outcome::NotStarted { at }
            }
            (message, at) => Outcome::Panicked { message, at },
        },
    }
}

/// The innermost `file:line` of the current backtrace that is in an
/// exercise's own code, from the repository's root: a solution, or a
/// chapter's file above its grading section.
fn exercise_frame() -> Option<String> {
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    let marker = format!("{CRATE_DIR}/src/");
    trace.lines().find_map(|line| {
        let at = line.trim().strip_prefix("at ")?;
        let (file, rest) = at[at.find(&marker)?..].split_once(':')?;
        let line: usize = rest.split(':').next()?.parse().ok()?;
        let source = book::read_source(&file[CRATE_DIR.len() + 1..]);
        let grading = source.lines().position(|l| l.starts_with(book::GRADING));
        (file.contains("/solutions/") || grading.is_some_and(|g| line <= g))
            .then(|| format!("{file}:{line}"))
    })
}
