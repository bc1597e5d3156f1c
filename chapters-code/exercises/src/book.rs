//! The book is the list of exercises. `src/SUMMARY.md` gives the chapters,
//! their numbers and titles; each chapter's `## Exercises` section gives
//! its exercises, one `### N. Title` section each, ending with the command
//! that checks it. [`listed`] reads them, and [`problems`] lists every
//! disagreement between the book and the workbook, one sentence each.

use crate::{Exercise, CRATE_DIR};
use std::path::Path;

/// The prefix of every check command.
pub const CHECK: &str = "cargo run -p exercises -- check ";

/// The line that starts the grading section at the end of a chapter's
/// file: everything above it is the reader's, everything below machinery.
pub const GRADING: &str = "// Grading";

/// One page of the book: its path relative to `src/` and its text.
pub type Page = (String, String);

/// The book's pages (`src/*.md`), sorted by name.
pub fn read_pages() -> Vec<Page> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut pages: Vec<Page> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    pages.sort();
    pages
}

/// A source file of this crate, relative to the crate (`src/relu.rs`).
pub fn read_source(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap_or_default()
}

/// The index of the line `pub fn <function>(` (or `<`) in `source`.
pub fn function_line(source: &str, function: &str) -> Option<usize> {
    let needle = format!("pub fn {function}");
    source.lines().position(|l| {
        l.trim_start()
            .strip_prefix(&needle)
            .is_some_and(|r| r.starts_with(['(', '<']))
    })
}

/// The `///` lines right above `pub fn <function>` in `source`.
pub fn stub_doc(source: &str, function: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let Some(at) = function_line(source, function) else {
        return String::new();
    };
    let doc = lines[..at]
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("///"));
    let mut doc: Vec<&str> = doc.copied().collect();
    doc.reverse();
    doc.join("\n")
}

/// The id mdBook 0.5 gives a heading with this text: lower case, spaces to
/// `-`, and everything but letters, digits, `-` and `_` dropped.
pub fn heading_id(text: &str) -> String {
    let keep = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.chars()
        .filter_map(|c| {
            if keep(c) {
                Some(c.to_ascii_lowercase())
            } else {
                c.is_whitespace().then_some('-')
            }
        })
        .collect()
}

/// A chapter as `SUMMARY.md` lists it: `- [Title](page.md)`, numbered from
/// 1 in order, as mdBook numbers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub number: usize,
    pub title: String,
    pub page: String,
}

/// The chapters `SUMMARY.md` lists, in order.
pub fn chapters(summary: &str) -> Vec<Chapter> {
    let entries = summary
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- [")?.split_once("]("));
    let entries = entries
        .filter_map(|(title, rest)| Some((title.to_string(), rest.split_once(')')?.0.to_string())));
    entries
        .enumerate()
        .map(|(i, (title, page))| Chapter {
            number: i + 1,
            title,
            page,
        })
        .collect()
}

/// One exercise of the book: a `###` section under a chapter's
/// `## Exercises`.
#[derive(Debug, Clone)]
pub struct Listed {
    pub chapter: Chapter,
    /// The heading's text, `"2. The leaky ReLU"`.
    pub heading: String,
    /// Its line on the page.
    pub line: usize,
    /// The section's lines, the heading's own excluded.
    pub body: Vec<String>,
}

impl Listed {
    /// Its title, the heading without its number.
    pub fn title(&self) -> &str {
        self.heading
            .split_once(". ")
            .map_or(&self.heading, |(_, t)| t)
    }

    /// The exercise its last line's check command names, if it ends with one.
    pub fn id(&self) -> Option<String> {
        let last = self.body.iter().rev().find(|l| !l.trim().is_empty())?;
        let at = last.find(&format!("`{CHECK}"))? + CHECK.len() + 1;
        let id: String = last[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        Some(id)
    }

    /// Whether the book marks it optional.
    pub fn optional(&self) -> bool {
        self.heading.ends_with("(optional)")
    }

    /// Whether the stub has a bug to find rather than a `todo!()`.
    pub fn find_the_bug(&self) -> bool {
        self.title().starts_with("Find the bug")
    }

    /// Where it is in the book, from the repository's root.
    pub fn book_link(&self) -> String {
        format!("src/{}#{}", self.chapter.page, heading_id(&self.heading))
    }
}

/// The `###` sections of a page's `## Exercises` section, in order, as
/// `(heading, line, body)`; `None` when the page has no such section.
/// Fenced code is skipped when looking for headings.
pub fn sections(text: &str) -> Option<Vec<(String, usize, Vec<String>)>> {
    let (mut inside, mut found, mut fence) = (false, false, false);
    let mut sections: Vec<(String, usize, Vec<String>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        fence ^= line.trim_start().starts_with("```");
        if !fence && line.starts_with("## ") {
            inside = line.trim() == "## Exercises";
            found |= inside;
        } else if inside && !fence && line.starts_with("### ") {
            sections.push((line[4..].trim().to_string(), i + 1, Vec::new()));
        } else if let Some(s) = sections.last_mut().filter(|_| inside) {
            s.2.push(line.to_string());
        }
    }
    found.then_some(sections)
}

/// Every exercise of the book, chapter by chapter in `SUMMARY.md`'s order.
pub fn listed(pages: &[Page]) -> Vec<Listed> {
    let page = |name: &str| {
        pages
            .iter()
            .find(|(p, _)| p == name)
            .map_or("", |(_, t)| t.as_str())
    };
    let mut out = Vec::new();
    for chapter in chapters(page("SUMMARY.md")) {
        for (heading, line, body) in sections(page(&chapter.page)).unwrap_or_default() {
            out.push(Listed {
                chapter: chapter.clone(),
                heading,
                line,
                body,
            });
        }
    }
    out
}

/// The workbook in the book's order: each exercise with its section.
/// Exercises the book and the workbook disagree on are left out (see
/// [`problems`]).
pub fn workbook() -> Vec<(Listed, Exercise)> {
    let all = crate::all();
    let graded = |l: &Listed| all.iter().find(|e| Some(e.id()) == l.id()).copied();
    listed(&read_pages())
        .into_iter()
        .filter_map(|l| Some((l.clone(), graded(&l)?)))
        .collect()
}

/// Every disagreement between the book's pages and the workbook's
/// exercises, one sentence each. `source` reads a file of this crate.
pub fn problems(
    pages: &[Page],
    exercises: &[Exercise],
    source: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut problems = Vec::new();
    let known = |id: &str| exercises.iter().any(|e| e.id() == id);
    // Every check command anywhere in the book names a real exercise.
    for (page, text) in pages {
        for (i, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices(CHECK) {
                let id: String = line[at + CHECK.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || "_:".contains(*c))
                    .collect();
                if !known(&id) {
                    problems.push(format!(
                        "src/{page}:{}: `{CHECK}{id}` names no workbook exercise",
                        i + 1
                    ));
                }
            }
        }
    }
    let summary = pages
        .iter()
        .find(|(p, _)| p == "SUMMARY.md")
        .map_or("", |(_, t)| t.as_str());
    let chapters = chapters(summary);
    for (page, text) in pages {
        let Some(sections) = sections(text) else {
            continue;
        };
        if !chapters.iter().any(|c| &c.page == page) {
            problems.push(format!(
                "src/{page} has {} exercises but is not a chapter in src/SUMMARY.md",
                sections.len()
            ));
        }
        // Every solution belongs to an exercise: one <details> in each ###
        // section, and none outside them.
        let details = |lines: &mut dyn Iterator<Item = &str>| {
            lines.filter(|l| l.trim() == "<details>").count()
        };
        let all = details(&mut exercises_text(text).lines());
        let each: Vec<usize> = sections
            .iter()
            .map(|s| details(&mut s.2.iter().map(String::as_str)))
            .collect();
        if all != each.iter().sum::<usize>() {
            let outside = all - each.iter().sum::<usize>();
            problems.push(format!("src/{page}: {outside} of the {all} solutions under ## Exercises are not in a ### section of a workbook exercise"));
        }
        for (k, ((heading, line, _), n)) in sections.iter().zip(&each).enumerate() {
            let at = format!("src/{page}:{line}");
            if *n != 1 {
                problems.push(format!(
                    "{at}: exercise \"{heading}\" has {n} <details> solutions, not 1"
                ));
            }
            if !heading.starts_with(&format!("{}. ", k + 1)) {
                problems.push(format!(
                    "{at}: exercise \"{heading}\" must be numbered {}.",
                    k + 1
                ));
            }
        }
    }
    let listed = listed(pages);
    for e in exercises {
        let at: Vec<&Listed> = listed.iter().filter(|l| l.id() == Some(e.id())).collect();
        let [l] = at[..] else {
            problems.push(format!(
                "{}: the book has {} sections that end with `{}`, not 1",
                e.id(),
                at.len(),
                e.command()
            ));
            continue;
        };
        let (page, section) = (
            &l.chapter.page,
            format!("src/{}:{}", l.chapter.page, l.line),
        );
        let include = format!(
            "{{{{#include ../{CRATE_DIR}/src/solutions/{}.rs:{}}}}}",
            e.module, e.function
        );
        if !l.body.iter().any(|b| b.trim() == include) {
            problems.push(format!(
                "{section}: exercise \"{}\" must show its solution with {include}",
                l.heading
            ));
        }
        let solution = source(&format!("src/solutions/{}.rs", e.module));
        let anchors = [
            format!("// ANCHOR: {}\n", e.function),
            format!("// ANCHOR_END: {}\n", e.function),
        ];
        if !anchors.iter().all(|a| solution.contains(a.as_str())) {
            problems.push(format!(
                "src/solutions/{}.rs has no ANCHOR: {} … ANCHOR_END: {}",
                e.module, e.function, e.function
            ));
        }
        let stub = source(&e.stub_file());
        let link = format!("../../../src/{page}#{}", heading_id(&l.heading));
        let doc = stub_doc(&stub, e.function);
        if !doc.contains(&link) || !doc.contains(&format!("`{}`", e.command())) {
            problems.push(format!(
                "{}: the doc comment of {} must link to {link} and give `{}`",
                e.stub_file(),
                e.function,
                e.command()
            ));
        }
        let grading = stub.lines().position(|l| l.starts_with(GRADING));
        if grading.is_none_or(|g| function_line(&stub, e.function).is_none_or(|f| f > g)) {
            problems.push(format!(
                "{}: {} must come before the line `{GRADING}`",
                e.stub_file(),
                e.function
            ));
        }
    }
    problems
}

/// The text of a page's `## Exercises` section (empty when it has none).
fn exercises_text(text: &str) -> String {
    let (mut inside, mut fence, mut out) = (false, false, String::new());
    for line in text.lines() {
        fence ^= line.trim_start().starts_with("```");
        if !fence && line.starts_with("## ") {
            inside = line.trim() == "## Exercises";
        } else if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// [`problems`] for the real book and the real workbook.
pub fn real_problems() -> Vec<String> {
    problems(&read_pages(), &crate::all(), read_source)
}
