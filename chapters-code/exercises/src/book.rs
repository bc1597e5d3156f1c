//! The book is the list of exercises. `src/SUMMARY.md` gives the chapters,
//! numbered as mdBook numbers them; each chapter's `## Exercises` section
//! gives its exercises, one `### N. Title` section each, ending with the
//! command that checks it. [`problems`] lists every disagreement between the
//! book and the workbook, one sentence each.

use crate::{Exercise, CRATE_DIR};
use std::path::Path;

pub const CHECK: &str = "cargo run -p exercises -- check ";

/// Above this line a chapter's file is the reader's, below it machinery.
pub const GRADING: &str = "// Grading";

/// One page of the book: its path relative to `src/` and its text.
pub type Page = (String, String);

/// The book's pages, `src/*.md`, by name.
pub fn read_pages() -> Vec<Page> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let names = std::fs::read_dir(dir).expect("the book's src/");
    let names = names.map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
    let page = |name: String| (name.clone(), read_source(&format!("../../src/{name}")));
    let mut pages: Vec<Page> = names.filter(|n| n.ends_with(".md")).map(page).collect();
    pages.sort();
    pages
}

/// A file of this crate, relative to the crate (`src/relu.rs`).
pub fn read_source(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap_or_default()
}

/// The index of the line `pub fn <function>(` (or `<`) in `source`.
pub fn function_line(source: &str, function: &str) -> Option<usize> {
    let name = |l: &str| Some(l.strip_prefix("pub fn ")?.split(['(', '<']).next()? == function);
    source.lines().position(|l| name(l) == Some(true))
}

/// The exercise ids that the check commands on `line` name.
fn commands(line: &str) -> impl Iterator<Item = String> + '_ {
    let id = |c: &char| c.is_alphanumeric() || "_:".contains(*c);
    let rests = line.split(CHECK).skip(1);
    rests.map(move |rest| rest.chars().take_while(id).collect())
}

/// A chapter as `SUMMARY.md` lists it, `- [Title](page.md)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chapter {
    pub number: usize,
    pub title: String,
    pub page: String,
}

/// The chapters `SUMMARY.md` lists, numbered from 1 in order.
pub fn chapters(summary: &str) -> Vec<Chapter> {
    let entry = |l: &str| {
        let (title, rest) = l.trim().strip_prefix("- [")?.split_once("](")?;
        Some((title.to_string(), rest.split_once(')')?.0.to_string()))
    };
    let entries = (1..).zip(summary.lines().filter_map(entry));
    let chapter = |(number, (title, page))| Chapter {
        number,
        title,
        page,
    };
    entries.map(chapter).collect()
}

/// An exercise of the book: a `###` section under `## Exercises`, with its
/// heading (`"2. The leaky ReLU"`), its line, and the section's other lines.
#[derive(Debug, Clone)]
pub struct Listed {
    pub chapter: Chapter,
    pub heading: String,
    pub line: usize,
    pub body: Vec<String>,
}

impl Listed {
    pub fn title(&self) -> &str {
        let h = &self.heading;
        h.split_once(". ").map_or(h, |(_, t)| t)
    }

    /// The exercise that the check command on its last line names.
    pub fn id(&self) -> Option<String> {
        commands(self.body.iter().rev().find(|l| !l.trim().is_empty())?).next()
    }

    /// Whether the stub has a bug to find rather than a `todo!()`.
    pub fn find_the_bug(&self) -> bool {
        self.title().starts_with("Find the bug")
    }

    /// Where it is in the book, from the repository's root. The anchor is
    /// the id mdBook 0.5 gives the heading: lower case, spaces to `-`, and
    /// all but letters, digits, `-` and `_` dropped.
    pub fn book_link(&self) -> String {
        let id = self.heading.to_ascii_lowercase();
        let id = id.replace(char::is_whitespace, "-");
        let id = id.replace(|c: char| !(c.is_alphanumeric() || "_-".contains(c)), "");
        format!("src/{}#{id}", self.chapter.page)
    }
}

/// A page's `## Exercises` section: each `###` section, an exercise of
/// `chapter`, and how many `<details>` solutions come before the first.
/// Headings in fenced code do not count.
fn sections(text: &str, chapter: &Chapter) -> (Vec<Listed>, usize) {
    let (mut inside, mut fence, mut loose, mut listed) = (false, false, 0, Vec::<Listed>::new());
    for (line, text) in (1..).zip(text.lines()) {
        fence ^= text.trim_start().starts_with("```");
        if !fence && text.starts_with("## ") {
            inside = text.trim() == "## Exercises";
        } else if let Some(heading) = text.strip_prefix("### ").filter(|_| inside && !fence) {
            let (chapter, heading, body) = (chapter.clone(), heading.trim().into(), vec![]);
            listed.push(Listed {
                chapter,
                heading,
                line,
                body,
            });
        } else if let Some(l) = listed.last_mut().filter(|_| inside) {
            l.body.push(text.into());
        } else if inside && text.trim() == "<details>" {
            loose += 1;
        }
    }
    (listed, loose)
}

/// Every exercise of the book, chapter by chapter in `SUMMARY.md`'s order.
pub fn listed(pages: &[Page]) -> Vec<Listed> {
    let page = |name: &str| pages.iter().find(|(p, _)| p == name).map_or("", |(_, t)| t);
    let sections = |c: Chapter| sections(page(&c.page), &c).0;
    let chapters = chapters(page("SUMMARY.md"));
    chapters.into_iter().flat_map(sections).collect()
}

/// The workbook in the book's order, each exercise with its section. Those
/// the book and the workbook disagree on are left out (see [`problems`]).
pub fn workbook() -> Vec<(Listed, Exercise)> {
    let all = crate::all();
    let graded = |l: Listed| Some((l.clone(), *all.iter().find(|e| Some(e.id()) == l.id())?));
    let listed = listed(&read_pages());
    listed.into_iter().filter_map(graded).collect()
}

/// Every disagreement between the book's pages and the workbook's
/// exercises, one sentence each. `source` reads a file of this crate.
pub fn problems(pages: &[Page], source: impl Fn(&str) -> String) -> Vec<String> {
    let (all, mut problems) = (crate::all(), Vec::new());
    macro_rules! problem {
        ($($why:tt)*) => { problems.push(format!($($why)*)) };
    }
    for (page, text) in pages {
        for (n, line) in (1..).zip(text.lines()) {
            for id in commands(line).filter(|id| all.iter().all(|e| &e.id() != id)) {
                problem!("src/{page}:{n}: `{CHECK}{id}` names no workbook exercise");
            }
        }
        // Every solution belongs to an exercise: one <details> in each
        // ### section, and none before them.
        let (sections, n) = sections(text, &Chapter::default());
        if n > 0 {
            problem!("src/{page}: {n} solutions under ## Exercises are not in a ### section");
        }
        for (k, l) in (1..).zip(&sections) {
            let (at, heading) = (format!("src/{page}:{}", l.line), &l.heading);
            let n = l.body.iter().filter(|l| l.trim() == "<details>").count();
            if n != 1 {
                problem!("{at}: exercise \"{heading}\" has {n} <details> solutions, not 1");
            }
            if !heading.starts_with(&format!("{k}. ")) {
                problem!("{at}: exercise \"{heading}\" must be numbered {k}.");
            }
            if l.id().is_none() {
                problem!("{at}: exercise \"{heading}\" must end with `{CHECK}<exercise>`");
            }
        }
    }
    let listed = listed(pages);
    for e in &all {
        let (id, command, f, m) = (e.id(), e.command(), e.function, e.module);
        let named = |l: &&Listed| l.id().as_ref() == Some(&id);
        let at: Vec<&Listed> = listed.iter().filter(named).collect();
        let [l] = at[..] else {
            let n = at.len();
            problem!("{id}: the book has {n} sections that end with `{command}`, not 1");
            continue;
        };
        let (page, line, heading) = (&l.chapter.page, l.line, &l.heading);
        // That its anchor exists is the book's include check (tests/meta.rs).
        let include = format!("{{{{#include ../{CRATE_DIR}/src/solutions/{m}.rs:{f}}}}}");
        if l.body.iter().all(|b| b.trim() != include) {
            problem!("src/{page}:{line}: \"{heading}\" must show its solution with {include}");
        }
        // The stub's doc comment links to its section and gives its
        // command, and the stub comes before the grading section.
        let (file, link) = (format!("src/{m}.rs"), format!("../../../{}", l.book_link()));
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
