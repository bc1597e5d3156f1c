//! The book and the workbook must agree: every exercise section of the
//! book has a workbook exercise, and every workbook exercise has its
//! section, in the same order, under the same heading, ending with the
//! command that checks it and showing the reference solution by its
//! anchor. [`problems`] lists every disagreement, one sentence each.

use crate::{all, Exercise, CHAPTERS, CRATE_DIR};
use std::path::Path;

/// One page of the book: its path relative to `src/` and its text.
pub type Page = (String, String);

/// The book's pages (`src/*.md`), sorted by name.
pub fn read_pages() -> Vec<Page> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let mut pages: Vec<Page> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    pages.sort();
    pages
}

/// A source file of this crate, relative to the crate (`src/relu.rs`).
pub fn read_source(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap_or_default()
}

/// The prefix of every check command.
pub const CHECK: &str = "cargo run -p exercises -- check ";

/// One `###` section under a page's `## Exercises`: its heading and its
/// lines, the heading's own line excluded.
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub line: usize,
    pub body: Vec<String>,
}

/// The `###` sections of a page's `## Exercises` section, in order, or
/// `None` when the page has no such section. Fenced code is skipped when
/// looking for headings.
pub fn exercise_sections(text: &str) -> Option<Vec<Section>> {
    let mut in_exercises = false;
    let mut found = false;
    let mut in_fence = false;
    let mut sections: Vec<Section> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.starts_with("## ") {
            in_exercises = line.trim() == "## Exercises";
            found |= in_exercises;
            continue;
        }
        if !in_exercises {
            continue;
        }
        if !in_fence && line.starts_with("### ") {
            sections.push(Section {
                heading: line[4..].trim().to_string(),
                line: i + 1,
                body: Vec::new(),
            });
        } else if let Some(s) = sections.last_mut() {
            s.body.push(line.to_string());
        }
    }
    found.then_some(sections)
}

/// The text of a page's `## Exercises` section (empty when it has none).
pub fn exercises_text(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.starts_with("## ") {
            inside = line.trim() == "## Exercises";
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every disagreement between the book's pages and the workbook's
/// exercises, one sentence each. `source` reads a file of this crate.
pub fn problems(
    pages: &[Page],
    exercises: &[Exercise],
    source: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut problems = Vec::new();
    let summary = pages
        .iter()
        .find(|(p, _)| p == "SUMMARY.md")
        .map_or("", |(_, t)| t.as_str());
    for chapter in CHAPTERS {
        if !pages.iter().any(|(p, _)| p == chapter.page) {
            problems.push(format!(
                "the workbook's chapter {} has no page src/{}",
                chapter.module, chapter.page
            ));
        }
        let entry = format!("[{}]({})", chapter.title, chapter.page);
        if !summary.contains(&entry) {
            problems.push(format!(
                "src/SUMMARY.md has no entry {entry} for the workbook's chapter {}",
                chapter.module
            ));
        }
    }
    // Every check command anywhere in the book names a real exercise.
    for (page, text) in pages {
        for (i, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices(CHECK) {
                let id: String = line[at + CHECK.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                if !exercises.iter().any(|e| e.id() == id) {
                    problems.push(format!(
                        "src/{page}:{}: `{CHECK}{id}` names no workbook exercise",
                        i + 1
                    ));
                }
            }
        }
    }
    for (page, text) in pages {
        let Some(sections) = exercise_sections(text) else {
            continue;
        };
        // Every solution belongs to a workbook exercise: one <details> in
        // each ### section, and none outside them.
        let details = exercises_text(text)
            .lines()
            .filter(|l| l.trim() == "<details>")
            .count();
        let in_sections: usize = sections
            .iter()
            .map(|s| s.body.iter().filter(|l| l.trim() == "<details>").count())
            .sum();
        if details != in_sections {
            problems.push(format!(
                "src/{page}: {} of the {details} solutions under ## Exercises are not in a \
                 ### section of a workbook exercise",
                details - in_sections
            ));
        }
        for section in &sections {
            let n = section
                .body
                .iter()
                .filter(|l| l.trim() == "<details>")
                .count();
            if n != 1 {
                problems.push(format!(
                    "src/{page}:{}: exercise \"{}\" has {n} <details> solutions, not 1",
                    section.line, section.heading
                ));
            }
        }
        let chapter = CHAPTERS.iter().find(|c| c.page == page);
        let wanted: Vec<&Exercise> = exercises
            .iter()
            .filter(|e| chapter.is_some_and(|c| c.module == e.module))
            .collect();
        if chapter.is_none() && !sections.is_empty() {
            problems.push(format!(
                "src/{page} has {} exercises but no chapter module in the workbook",
                sections.len()
            ));
        }
        if chapter.is_some() && sections.len() != wanted.len() {
            problems.push(format!(
                "src/{page} has {} exercises, the workbook has {}",
                sections.len(),
                wanted.len()
            ));
        }
        for section in sections.iter().skip(wanted.len()) {
            problems.push(format!(
                "src/{page}:{}: exercise \"{}\" has no workbook exercise",
                section.line, section.heading
            ));
        }
        for (k, e) in wanted.iter().enumerate() {
            let Some(section) = sections.get(k) else {
                problems.push(format!(
                    "{}: exercise {} is missing from src/{page}",
                    e.id(),
                    e.heading()
                ));
                continue;
            };
            let at = format!("src/{page}:{}", section.line);
            if section.heading != e.heading() {
                problems.push(format!(
                    "{at}: heading \"{}\", but the workbook's exercise {} is \"{}\"",
                    section.heading,
                    k + 1,
                    e.heading()
                ));
            }
            let last = section.body.iter().rev().find(|l| !l.trim().is_empty());
            if !last.is_some_and(|l| l.contains(&format!("`{}`", e.command()))) {
                problems.push(format!(
                    "{at}: exercise \"{}\" must end with `{}`",
                    section.heading,
                    e.command()
                ));
            }
            let include = format!(
                "{{{{#include ../{CRATE_DIR}/src/solutions/{}.rs:{}}}}}",
                e.module, e.function
            );
            if !section.body.iter().any(|l| l.trim() == include) {
                problems.push(format!(
                    "{at}: exercise \"{}\" must show its solution with {include}",
                    section.heading
                ));
            }
            let solution = source(&format!("src/solutions/{}.rs", e.module));
            let anchored = solution.contains(&format!("// ANCHOR: {}\n", e.function))
                && solution.contains(&format!("// ANCHOR_END: {}\n", e.function));
            if !anchored {
                problems.push(format!(
                    "src/solutions/{}.rs has no ANCHOR: {} … ANCHOR_END: {}",
                    e.module, e.function, e.function
                ));
            }
            let link = format!("../../../src/{page}#{}", e.anchor());
            let doc = stub_doc(&source(&e.stub_file()), e.function);
            if !doc.contains(&link) || !doc.contains(&format!("`{}`", e.command())) {
                problems.push(format!(
                    "{}: the doc comment of {} must link to {link} and give `{}`",
                    e.stub_file(),
                    e.function,
                    e.command()
                ));
            }
        }
    }
    problems
}

/// The `///` lines right above `pub fn <function>` in `source`.
pub fn stub_doc(source: &str, function: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let needle = format!("pub fn {function}");
    let Some(at) = lines
        .iter()
        .position(|l| l.starts_with(&needle) && l[needle.len()..].starts_with(['(', '<']))
    else {
        return String::new();
    };
    let mut doc: Vec<&str> = lines[..at]
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("///"))
        .copied()
        .collect();
    doc.reverse();
    doc.join("\n")
}

/// [`problems`] for the real book and the real workbook.
pub fn real_problems() -> Vec<String> {
    problems(&read_pages(), &all(), read_source)
}
