//! How the book lists its exercises. `src/SUMMARY.md` gives the chapters,
//! numbered as mdBook numbers them; each chapter's `## Exercises` section
//! gives its exercises, one `### N. Title` section each, ending with the
//! command that checks it. Text in, text out: the book's meta-tests
//! (`tests/tests/meta.rs`) include this file to check those sections' form.

/// One page of the book: its path relative to `src/` and its text.
pub type Page = (String, String);

pub const CHECK: &str = "cargo run -p exercises -- check ";

/// The exercise ids that the check commands on `line` name.
pub fn commands(line: &str) -> impl Iterator<Item = String> + '_ {
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
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub chapter: Chapter,
    pub heading: String,
    pub line: usize,
    pub body: Vec<String>,
}

impl Listed {
    /// The heading as a terminal shows it: its formulas as plain text
    /// (`Where an entry lands in vec` for `… in \(\operatorname{vec}\)`).
    pub fn plain_heading(&self) -> String {
        spans(&self.heading)
            .map(
                |(text, math)| if math { plain_tex(text) } else { text.into() },
            )
            .collect()
    }

    pub fn title(&self) -> String {
        let h = self.plain_heading();
        h.split_once(". ").map_or(h.clone(), |(_, t)| t.into())
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
    /// the id mdBook 0.5 gives the heading: its text lower case, spaces to
    /// `-`, and all but letters, digits, `-` and `_` dropped. A formula's
    /// text is what it shows, without spaces: `\(y = \max(0, x)\)` gives
    /// `ymax0x` (`.ci/build-book` checks that every stub's link lands).
    pub fn book_link(&self) -> String {
        let text: String = spans(&self.heading)
            .map(|(text, math)| {
                if math {
                    plain_tex(text).replace(char::is_whitespace, "")
                } else {
                    text.replace(char::is_whitespace, "-")
                }
            })
            .collect();
        let id = text.to_lowercase();
        let id = id
            .replace(|c: char| !(c.is_alphanumeric() || "_-".contains(c)), "");
        format!("src/{}#{id}", self.chapter.page)
    }
}

/// A heading's text and its inline formulas, in order, each with whether
/// it is a formula (the TeX between `\(` and `\)`).
fn spans(heading: &str) -> impl Iterator<Item = (&str, bool)> {
    heading.split("\\(").enumerate().flat_map(|(i, part)| {
        match (i, part.split_once("\\)")) {
            (0, _) | (_, None) => vec![(part, false)],
            (_, Some((math, text))) => vec![(math, true), (text, false)],
        }
    })
}

/// A formula's TeX as the text it shows: `\operatorname{vec}` and
/// `\text{…}` by their argument, another command by its name (`\max`),
/// braces dropped.
fn plain_tex(tex: &str) -> String {
    let mut tex = tex.trim().to_string();
    for wrapper in ["\\operatorname", "\\text", "\\mathrm"] {
        tex = tex.replace(wrapper, "");
    }
    tex.replace(['\\', '{', '}'], "")
}

/// A page's `## Exercises` section: each `###` section (not in fenced code),
/// an exercise of `chapter`, and how many `<details>` come before the first.
pub fn sections(text: &str, chapter: &Chapter) -> (Vec<Listed>, usize) {
    let (mut inside, mut fence, mut loose, mut listed) =
        (false, false, 0, Vec::<Listed>::new());
    for (line, text) in (1..).zip(text.lines()) {
        fence ^= text.trim_start().starts_with("```");
        if !fence && text.starts_with("## ") {
            inside = text.trim() == "## Exercises";
        } else if let Some(heading) =
            text.strip_prefix("### ").filter(|_| inside && !fence)
        {
            let mut l = Listed::default();
            (l.chapter, l.heading, l.line) =
                (chapter.clone(), heading.trim().into(), line);
            listed.push(l);
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
    let page = |name: &str| {
        pages.iter().find(|(p, _)| p == name).map_or("", |(_, t)| t)
    };
    let sections = |c: Chapter| sections(page(&c.page), &c).0;
    let chapters = chapters(page("SUMMARY.md"));
    chapters.into_iter().flat_map(sections).collect()
}
