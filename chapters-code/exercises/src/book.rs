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
    fn name(l: &str) -> Option<&str> {
        l.strip_prefix("pub fn ")?.split(['(', '<']).next()
    }
    source.lines().position(|l| name(l) == Some(function))
}

/// The id mdBook 0.5 gives a heading with this text: lower case, spaces to
/// `-`, and everything but letters, digits, `-` and `_` dropped.
pub fn heading_id(text: &str) -> String {
    let id = text.to_ascii_lowercase().replace(char::is_whitespace, "-");
    id.replace(|c: char| !(c.is_alphanumeric() || "_-".contains(c)), "")
}

/// The exercise ids that the check commands on `line` name.
fn commands(line: &str) -> impl Iterator<Item = String> + '_ {
    let (rests, id) = (line.split(CHECK).skip(1), |c: &char| {
        c.is_alphanumeric() || "_:".contains(*c)
    });
    rests.map(move |rest| rest.chars().take_while(id).collect())
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
    let entry = |l: &str| {
        let (title, rest) = l.trim().strip_prefix("- [")?.split_once("](")?;
        Some((title.into(), rest.split_once(')')?.0.into()))
    };
    let entries = summary.lines().filter_map(entry).enumerate();
    let chapter = |(i, (title, page))| Chapter {
        number: i + 1,
        title,
        page,
    };
    entries.map(chapter).collect()
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
        let h = &self.heading;
        h.split_once(". ").map_or(h, |(_, t)| t)
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
            let last = sections.last_mut().map(|s: &mut Section| &mut s.2);
            last.unwrap_or(&mut before).push(line.into());
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
            let chapter = chapter.clone();
            out.push(Listed {
                chapter,
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
    let listed = listed(&read_pages());
    listed.into_iter().filter_map(graded).collect()
}

/// Every disagreement between the book's pages and the workbook's
/// exercises, one sentence each. `source` reads a file of this crate.
pub fn problems(pages: &[Page], all: &[Exercise], source: impl Fn(&str) -> String) -> Vec<String> {
    let mut problems = Vec::new();
    macro_rules! problem {
        ($($why:tt)*) => { problems.push(format!($($why)*)) };
    }
    let summary = pages.iter().find(|(p, _)| p == "SUMMARY.md");
    let chapters = chapters(summary.map_or("", |(_, t)| t));
    for (page, text) in pages {
        // Every check command anywhere in the book names a real exercise.
        for (n, line) in (1..).zip(text.lines()) {
            for id in commands(line).filter(|id| all.iter().all(|e| &e.id() != id)) {
                problem!("src/{page}:{n}: `{CHECK}{id}` names no workbook exercise");
            }
        }
        let Some((sections, before)) = sections(text) else {
            continue;
        };
        let n = sections.len();
        if chapters.iter().all(|c| &c.page != page) {
            problem!("src/{page} has {n} exercises but is not a chapter in src/SUMMARY.md");
        }
        // Every solution belongs to an exercise: one <details> in each
        // ### section, and none before them.
        let details = |lines: &[String]| lines.iter().filter(|l| l.trim() == "<details>").count();
        let n = details(&before);
        if n > 0 {
            problem!("src/{page}: {n} solutions under ## Exercises are not in a ### section of a workbook exercise");
        }
        for (k, (heading, line, body)) in (1..).zip(&sections) {
            let (at, n) = (format!("src/{page}:{line}"), details(body));
            if n != 1 {
                problem!("{at}: exercise \"{heading}\" has {n} <details> solutions, not 1");
            }
            if !heading.starts_with(&format!("{k}. ")) {
                problem!("{at}: exercise \"{heading}\" must be numbered {k}.");
            }
        }
    }
    let listed = listed(pages);
    for e in all {
        let (id, command, file, f, m) = (e.id(), e.command(), e.stub_file(), e.function, e.module);
        let named = |l: &&Listed| l.id() == Some(id.clone());
        let at: Vec<&Listed> = listed.iter().filter(named).collect();
        let [l] = at[..] else {
            let n = at.len();
            problem!("{id}: the book has {n} sections that end with `{command}`, not 1");
            continue;
        };
        let (page, line, heading) = (&l.chapter.page, l.line, &l.heading);
        let include = format!("{{{{#include ../{CRATE_DIR}/src/solutions/{m}.rs:{f}}}}}");
        if l.body.iter().all(|b| b.trim() != include) {
            problem!(
                "src/{page}:{line}: exercise \"{heading}\" must show its solution with {include}"
            );
        }
        let solution = source(&format!("src/solutions/{m}.rs"));
        let anchors = [format!("// ANCHOR: {f}\n"), format!("// ANCHOR_END: {f}\n")];
        if !anchors.iter().all(|a| solution.contains(a)) {
            problem!("src/solutions/{m}.rs has no ANCHOR: {f} … ANCHOR_END: {f}");
        }
        // The stub's doc comment links to its section and gives its command,
        // and the stub comes before the chapter file's grading section.
        let (stub, link) = (
            source(&file),
            format!("../../../src/{page}#{}", heading_id(heading)),
        );
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

/// [`problems`] for the real book and the real workbook.
pub fn real_problems() -> Vec<String> {
    problems(&read_pages(), &crate::all(), read_source)
}
