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
    let mut pages: Vec<Page> = (std::fs::read_dir(dir).expect("the book's src/"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension() == Some("md".as_ref()))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into(), read(&p)))
        .collect();
    pages.sort();
    pages
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A source file of this crate, relative to the crate (`src/relu.rs`).
pub fn read_source(file: &str) -> String {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
}

/// The index of the line `pub fn <function>(` (or `<`) in `source`.
pub fn function_line(source: &str, function: &str) -> Option<usize> {
    let prefix = format!("pub fn {function}");
    (source.lines()).position(|l| {
        l.strip_prefix(&prefix)
            .is_some_and(|r| r.starts_with(['(', '<']))
    })
}

/// The id mdBook 0.5 gives a heading with this text: lower case, spaces to
/// `-`, and everything but letters, digits, `-` and `_` dropped.
pub fn heading_id(text: &str) -> String {
    let kept = text
        .chars()
        .filter(|c| c.is_alphanumeric() || "_-".contains(*c) || c.is_whitespace());
    kept.map(|c| {
        if c.is_whitespace() {
            '-'
        } else {
            c.to_ascii_lowercase()
        }
    })
    .collect()
}

/// The exercise ids that the check commands on `line` name.
fn commands(line: &str) -> impl Iterator<Item = String> + '_ {
    line.match_indices(CHECK).map(|(at, _)| {
        let id = line[at + CHECK.len()..].chars();
        id.take_while(|c| c.is_alphanumeric() || "_:".contains(*c))
            .collect()
    })
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
    let entries = entries.filter_map(|(title, rest)| Some((title, rest.split_once(')')?.0)));
    let chapter = |(i, (title, page)): (usize, (&str, &str))| Chapter {
        number: i + 1,
        title: title.into(),
        page: page.into(),
    };
    entries.enumerate().map(chapter).collect()
}

/// One exercise of the book: a `###` section under a chapter's
/// `## Exercises`.
#[derive(Debug, Clone)]
pub struct Listed {
    pub chapter: Chapter,
    /// The heading's text, `"2. The leaky ReLU"`, its line on the page, and
    /// the section's lines, the heading's own excluded.
    pub heading: String,
    pub line: usize,
    pub body: Vec<String>,
}

impl Listed {
    /// Its title, the heading without its number.
    pub fn title(&self) -> &str {
        self.heading
            .split_once(". ")
            .map_or(&self.heading, |(_, t)| t)
    }

    /// The exercise that its last line's check command names, if any.
    pub fn id(&self) -> Option<String> {
        commands(self.body.iter().rev().find(|l| !l.trim().is_empty())?).next()
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

/// A `###` section: its heading, its line, and its lines.
pub type Section = (String, usize, Vec<String>);

/// A page's `## Exercises` section, `None` if it has none: its `###`
/// sections in order, and its lines before the first of them. Fenced code
/// is skipped when looking for headings.
pub fn sections(text: &str) -> Option<(Vec<Section>, Vec<String>)> {
    let (mut inside, mut found, mut fence) = (false, false, false);
    let (mut sections, mut before) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        fence ^= line.trim_start().starts_with("```");
        if !fence && line.starts_with("## ") {
            inside = line.trim() == "## Exercises";
            found |= inside;
        } else if inside && !fence && line.starts_with("### ") {
            sections.push((line[4..].trim().to_string(), i + 1, Vec::new()));
        } else if inside {
            let lines = sections
                .last_mut()
                .map_or(&mut before, |s: &mut Section| &mut s.2);
            lines.push(line.into());
        }
    }
    found.then_some((sections, before))
}

/// Every exercise of the book, chapter by chapter in `SUMMARY.md`'s order.
pub fn listed(pages: &[Page]) -> Vec<Listed> {
    let page = |name: &str| pages.iter().find(|(p, _)| p == name).map_or("", |(_, t)| t);
    let mut out = Vec::new();
    for chapter in chapters(page("SUMMARY.md")) {
        for (heading, line, body) in sections(page(&chapter.page)).unwrap_or_default().0 {
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
    let graded = |l: Listed| Some((l.clone(), *all.iter().find(|e| Some(e.id()) == l.id())?));
    listed(&read_pages())
        .into_iter()
        .filter_map(graded)
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
    let mut problem = |p: String| problems.push(p);
    let summary = pages.iter().find(|(p, _)| p == "SUMMARY.md");
    let chapters = chapters(summary.map_or("", |(_, t)| t));
    for (page, text) in pages {
        // Every check command anywhere in the book names a real exercise.
        for (i, line) in text.lines().enumerate() {
            for id in commands(line).filter(|id| !exercises.iter().any(|e| &e.id() == id)) {
                problem(format!(
                    "src/{page}:{}: `{CHECK}{id}` names no workbook exercise",
                    i + 1
                ));
            }
        }
        let Some((sections, before)) = sections(text) else {
            continue;
        };
        if !chapters.iter().any(|c| &c.page == page) {
            let n = sections.len();
            problem(format!(
                "src/{page} has {n} exercises but is not a chapter in src/SUMMARY.md"
            ));
        }
        // Every solution belongs to an exercise: one <details> in each
        // ### section, and none before them.
        let details = |lines: &[String]| lines.iter().filter(|l| l.trim() == "<details>").count();
        if details(&before) > 0 {
            let n = details(&before);
            problem(format!("src/{page}: {n} solutions under ## Exercises are not in a ### section of a workbook exercise"));
        }
        for (k, (heading, line, body)) in (1..).zip(&sections) {
            let (at, n) = (
                format!("src/{page}:{line}: exercise \"{heading}\""),
                details(body),
            );
            if n != 1 {
                problem(format!("{at} has {n} <details> solutions, not 1"));
            }
            if !heading.starts_with(&format!("{k}. ")) {
                problem(format!("{at} must be numbered {k}."));
            }
        }
    }
    let listed = listed(pages);
    for e in exercises {
        let (id, command, file, f, m) = (e.id(), e.command(), e.stub_file(), e.function, e.module);
        let at: Vec<&Listed> = listed
            .iter()
            .filter(|l| l.id().as_ref() == Some(&id))
            .collect();
        let [l] = at[..] else {
            let n = at.len();
            problem(format!(
                "{id}: the book has {n} sections that end with `{command}`, not 1"
            ));
            continue;
        };
        let (page, heading) = (&l.chapter.page, &l.heading);
        let include = format!("{{{{#include ../{CRATE_DIR}/src/solutions/{m}.rs:{f}}}}}");
        if !l.body.iter().any(|b| b.trim() == include) {
            let at = format!("src/{page}:{}", l.line);
            problem(format!(
                "{at}: exercise \"{heading}\" must show its solution with {include}"
            ));
        }
        let solution = source(&format!("src/solutions/{m}.rs"));
        if ![format!("// ANCHOR: {f}\n"), format!("// ANCHOR_END: {f}\n")]
            .iter()
            .all(|a| solution.contains(a))
        {
            problem(format!(
                "src/solutions/{m}.rs has no ANCHOR: {f} … ANCHOR_END: {f}"
            ));
        }
        // The stub's doc comment links to its section and gives its command,
        // and the stub comes before the chapter file's grading section.
        let (stub, link) = (
            source(&file),
            format!("../../../src/{page}#{}", heading_id(heading)),
        );
        let lines: Vec<&str> = stub.lines().collect();
        let at = function_line(&stub, f).unwrap_or(0);
        let doc = lines[..at]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("///"));
        let doc = doc.fold(String::new(), |d, l| d + l);
        if !doc.contains(&link) || !doc.contains(&format!("`{command}`")) {
            problem(format!(
                "{file}: the doc comment of {f} must link to {link} and give `{command}`"
            ));
        }
        if lines
            .iter()
            .position(|l| l.starts_with(GRADING))
            .is_none_or(|g| at > g)
        {
            problem(format!("{file}: {f} must come before the line `{GRADING}`"));
        }
    }
    problems
}

/// [`problems`] for the real book and the real workbook.
pub fn real_problems() -> Vec<String> {
    problems(&read_pages(), &crate::all(), read_source)
}
