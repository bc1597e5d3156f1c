//! Reading the book's markdown the way skeptic reads it (pulldown-cmark),
//! so that the meta-tests see exactly the blocks that become tests.
//!
//! Every check takes the book as in-memory `(path, text)` pairs and returns
//! a list of problems, one readable sentence each. The meta-tests run each
//! check on the real book (expecting no problems) and on a deliberately
//! broken book (expecting the problem to be named).

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};
use std::path::Path;

/// One page of the book: its path relative to `src/` and its text.
pub type Page = (String, String);

/// A fenced code block whose info string marks it as Rust.
#[derive(Debug, Clone)]
pub struct RustBlock {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string, for example `rust` or `rust,ignore`.
    pub info: String,
    /// The code, hidden `# ` lines included.
    pub code: String,
}

/// Attributes that would let a block pass without running (or, for
/// `should_panic` in skeptic 0.14, without even compiling).
pub const FORBIDDEN: [&str; 4] =
    ["ignore", "no_run", "should_panic", "compile_fail"];

/// Strings that count as an assertion inside a block: the `assert*` macros
/// and the gradient checker (which panics on a wrong gradient).
pub const ASSERTIONS: [&str; 2] = ["assert", "check_gradient"];

/// Every markdown file under `dir`, as `(path relative to dir, text)`,
/// sorted by path.
pub fn read_pages(dir: &Path) -> Vec<Page> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Page>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((rel.replace('\\', "/"), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// The tokens of an info string, split as rustdoc and skeptic split them.
fn tokens(info: &str) -> impl Iterator<Item = &str> {
    info.split(|c: char| !(c == '_' || c == '-' || c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
}

/// The Rust blocks of one page, in order. A block counts as Rust when its
/// info string has the token `rust` (as in skeptic).
pub fn rust_blocks(text: &str) -> Vec<RustBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<RustBlock> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if tokens(&info).any(|t| t == "rust") =>
            {
                let line = text[..range.start].matches('\n').count() + 1;
                current = Some(RustBlock {
                    line,
                    info: info.to_string(),
                    code: String::new(),
                });
            }
            Event::Text(t) => {
                if let Some(block) = current.as_mut() {
                    block.code.push_str(&t);
                }
            }
            Event::End(Tag::CodeBlock(_)) => {
                if let Some(block) = current.take() {
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// Whether a block only shows the crate's own code: every non-blank line
/// is an mdBook `{{#include …}}` or `{{#rustdoc_include …}}` directive.
/// Such a block is not a test (the crate's build and tests cover that
/// code), and skeptic never sees it: see [`for_skeptic`].
pub fn is_include_only(code: &str) -> bool {
    let mut lines = code.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next();
    first.is_some()
        && first.into_iter().chain(lines).all(|l| {
            (l.starts_with("{{#include ")
                || l.starts_with("{{#rustdoc_include "))
                && l.ends_with("}}")
        })
}

/// The Rust blocks of one page that become tests: every Rust block except
/// the include-only ones.
pub fn tested_blocks(text: &str) -> Vec<RustBlock> {
    rust_blocks(text)
        .into_iter()
        .filter(|b| !is_include_only(&b.code))
        .collect()
}

/// The page as skeptic must see it: each include-only Rust block's info
/// string becomes `text`, and nothing else changes (not even a line break,
/// so skeptic's test names still carry the page's real line numbers).
pub fn for_skeptic(text: &str) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for block in rust_blocks(text)
        .iter()
        .filter(|b| is_include_only(&b.code))
    {
        let fence = &mut lines[block.line - 1];
        let indent = fence.len() - fence.trim_start().len();
        let marks = fence[indent..]
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .count();
        *fence = format!("{}text", &fence[..indent + marks]);
    }
    lines.join("\n")
}

/// The environment variable that labels a listing; the same name as
/// `backprop::layer_check::LISTING_VAR`.
pub const LISTING_VAR: &str = "BACKPROP_LISTING";

/// Labels skeptic's generated tests with their listings: in the `n`-th
/// test, the first `fn main() {` line becomes
/// `fn main() { std::env::set_var("BACKPROP_LISTING", "src/PAGE.md:LINE");`
/// with `listings[n]`, on the same line, so no line of the listing moves.
///
/// `listings` are `"src/PAGE.md:LINE"`, one per tested block, in the order
/// skeptic generated the tests; each test's name must end with
/// `_line_LINE`. Returns an error when the counts or the lines disagree.
pub fn label_listings(
    generated: &str,
    listings: &[String],
) -> Result<String, String> {
    let mut parts = generated.split("#[test] fn ");
    let mut out = parts.next().unwrap_or_default().to_string();
    let tests: Vec<&str> = parts.collect();
    if tests.len() != listings.len() {
        return Err(format!(
            "skeptic generated {} tests for {} listings",
            tests.len(),
            listings.len()
        ));
    }
    for (test, listing) in tests.iter().zip(listings) {
        let name = test.split('(').next().unwrap_or_default();
        let line = listing.rsplit(':').next().unwrap_or_default();
        if !name.ends_with(&format!("_line_{line}")) {
            return Err(format!("test {name} is not the listing at {listing}"));
        }
        out.push_str("#[test] fn ");
        out.push_str(&test.replacen(
            "fn main() {",
            &format!(
                "fn main() {{ std::env::set_var({LISTING_VAR:?}, {listing:?});"
            ),
            1,
        ));
    }
    Ok(out)
}

/// The `.md` targets of the links in SUMMARY.md, in order.
pub fn summary_targets(summary: &str) -> Vec<String> {
    Parser::new(summary)
        .filter_map(|event| match event {
            Event::Start(Tag::Link(_, dest, _)) if dest.ends_with(".md") => {
                Some(dest.to_string())
            }
            _ => None,
        })
        .collect()
}

/// Pages missing from SUMMARY.md, and SUMMARY.md entries with no page.
pub fn summary_problems(pages: &[Page]) -> Vec<String> {
    let Some((_, summary)) = pages.iter().find(|(p, _)| p == "SUMMARY.md")
    else {
        return vec!["src/SUMMARY.md is missing".to_string()];
    };
    let targets = summary_targets(summary);
    let mut problems = Vec::new();
    for (path, _) in pages {
        if path != "SUMMARY.md" && !targets.contains(path) {
            problems
                .push(format!("src/{path} is not listed in src/SUMMARY.md"));
        }
    }
    for target in &targets {
        if !pages.iter().any(|(p, _)| p == target) {
            problems.push(format!(
                "src/SUMMARY.md links to {target}, but src/{target} does not exist"
            ));
        }
    }
    problems
}

/// Rust blocks that carry an attribute from [`FORBIDDEN`].
pub fn attribute_problems(pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in pages {
        for block in rust_blocks(text) {
            for bad in tokens(&block.info).filter(|t| FORBIDDEN.contains(t)) {
                problems.push(format!(
                    "src/{path}:{}: ```{} uses `{bad}`; every rust block must compile, run and assert",
                    block.line, block.info
                ));
            }
        }
    }
    problems
}

/// Rust blocks that contain none of the [`ASSERTIONS`].
pub fn assertion_problems(pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in pages {
        for block in tested_blocks(text) {
            if !ASSERTIONS.iter().any(|a| block.code.contains(a)) {
                problems.push(format!(
                    "src/{path}:{}: this rust block asserts nothing (no assert or check_gradient)",
                    block.line
                ));
            }
        }
    }
    problems
}

/// Chapters (every page but SUMMARY.md and the introduction) that have no
/// Rust block.
pub fn untested_chapters(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .filter(|(p, _)| p != "SUMMARY.md" && p != "introduction.md")
        .filter(|(_, text)| tested_blocks(text).is_empty())
        .map(|(p, _)| {
            format!(
                "src/{p} has no rust block; every chapter checks what it says"
            )
        })
        .collect()
}

/// One mdBook include directive found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The page that holds it, relative to `src/`.
    pub page: String,
    /// 1-based line of the directive on the page.
    pub line: usize,
    /// The included file as written, relative to the page.
    pub path: String,
    /// The anchor (or line range) after the path's `:`, if any.
    pub anchor: Option<String>,
}

impl Include {
    /// The included file relative to `src/`: the page's folder joined with
    /// the path as written.
    pub fn file(&self) -> String {
        match self.page.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{}", self.path),
            None => self.path.clone(),
        }
    }
}

/// Every `{{#include …}}` and `{{#rustdoc_include …}}` directive of the
/// pages, in order.
pub fn includes(pages: &[Page]) -> Vec<Include> {
    let mut found = Vec::new();
    for (page, text) in pages {
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("{{#") {
                let after = &rest[at + 3..];
                let Some(end) = after.find("}}") else { break };
                let directive = &after[..end];
                rest = &after[end..];
                let Some(arg) = directive
                    .strip_prefix("include ")
                    .or_else(|| directive.strip_prefix("rustdoc_include "))
                else {
                    continue;
                };
                let arg = arg.trim();
                let (path, anchor) = match arg.split_once(':') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (arg.to_string(), None),
                };
                found.push(Include {
                    page: page.clone(),
                    line: n + 1,
                    path,
                    anchor,
                });
            }
        }
    }
    found
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name` in `source`,
/// as mdBook includes them (anchor lines of every name left out), or
/// `None` when the anchor does not open and close, in that order.
pub fn anchor_region(source: &str, name: &str) -> Option<String> {
    let is = |line: &str, tag: &str| {
        line.split_once(tag)
            .is_some_and(|(_, rest)| rest.trim() == name)
    };
    let lines: Vec<&str> = source.lines().collect();
    let start = lines.iter().position(|l| is(l, "ANCHOR:"))?;
    let end =
        start + lines[start..].iter().position(|l| is(l, "ANCHOR_END:"))?;
    Some(
        lines[start + 1..end]
            .iter()
            .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
            .copied()
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// What an include shows: the anchor's region, or the whole file.
fn included_text(include: &Include, source: &str) -> Option<String> {
    match &include.anchor {
        None => Some(source.to_string()),
        Some(anchor) => anchor_region(source, anchor),
    }
}

/// Includes of crate code whose file does not exist, whose anchor is not
/// in the file, or that use line numbers instead of a named anchor (line
/// numbers drift when the code changes). `read` gives a file's text by its
/// path relative to `src/`. Figures (`figures/*.svg`) are checked by their
/// own meta-test and skipped here.
pub fn include_problems(
    pages: &[Page],
    read: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for inc in includes(pages)
        .into_iter()
        .filter(|i| !i.path.starts_with("figures/"))
    {
        let at = format!("src/{}:{}", inc.page, inc.line);
        let Some(source) = read(&inc.file()) else {
            problems.push(format!(
                "{at}: includes {}, which does not exist",
                inc.path
            ));
            continue;
        };
        match &inc.anchor {
            Some(a) if a.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                problems.push(format!(
                    "{at}: includes {} by line numbers ({a}); mark the region with an anchor",
                    inc.path
                ))
            }
            Some(a) if anchor_region(&source, a).is_none() => problems.push(format!(
                "{at}: includes {}:{a}, but that file has no ANCHOR: {a} … ANCHOR_END: {a}",
                inc.path
            )),
            _ => {}
        }
    }
    problems
}

/// The names of the `pub fn`s in Rust source (methods included), in order.
pub fn pub_fns(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("pub fn "))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// Public functions of the chapter modules that no page shows. `modules`
/// are `(path relative to src/, source)`; a function counts as shown when
/// its `pub fn` line is inside a region that some page includes.
pub fn unshown_functions(
    pages: &[Page],
    modules: &[(String, String)],
    read: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let shown: Vec<(String, Vec<String>)> = includes(pages)
        .iter()
        .filter_map(|inc| {
            let text = included_text(inc, &read(&inc.file())?)?;
            Some((inc.file(), pub_fns(&text)))
        })
        .collect();
    let mut problems = Vec::new();
    for (path, source) in modules {
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for name in pub_fns(code) {
            let seen = shown
                .iter()
                .any(|(file, fns)| file == path && fns.contains(&name));
            if !seen {
                problems.push(format!(
                    "{}: pub fn {name} is not shown in any chapter (no included anchor region holds it)",
                    path.trim_start_matches("../")
                ));
            }
        }
    }
    problems
}

/// Rust blocks that mix an include directive with other lines. skeptic
/// sees the bare directive and cannot compile it, and mdBook would show
/// the reader a listing that is part real code, part retyped: a block
/// either only includes crate code, or is a listing of its own.
pub fn mixed_include_problems(pages: &[Page]) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in pages {
        for block in rust_blocks(text) {
            if block.code.contains("{{#") && !is_include_only(&block.code) {
                problems.push(format!(
                    "src/{path}:{}: this rust block mixes an include with other code",
                    block.line
                ));
            }
        }
    }
    problems
}

/// The title of a page: the text of its first `# ` heading.
pub fn page_title(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(str::trim)
}

/// Anchors in the crate's sources that are not marked for the reader:
/// every `// ANCHOR: name` line must follow a comment `// Shown in
/// "PAGE TITLE", section "HEADING"` (it may run over several comment
/// lines) that names the page and the section that include the region,
/// so that a reader of the code knows where on which page it appears.
/// The heading is compared with its math delimiters and backslashes
/// taken out (`\(y = \max(0, x)\)` reads `y = max(0, x)`).
pub fn marker_problems(
    pages: &[Page],
    modules: &[(String, String)],
) -> Vec<String> {
    let found = includes(pages);
    let mut problems = Vec::new();
    for (path, source) in modules {
        let file = path.trim_start_matches("../");
        let lines: Vec<&str> = source.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let Some(name) = line.trim().strip_prefix("// ANCHOR: ") else {
                continue;
            };
            let at = format!("{file}:{}: anchor {name}", n + 1);
            // The comment block right above the anchor line, as one line.
            let mut comment: Vec<&str> = lines[..n]
                .iter()
                .rev()
                .take_while(|l| {
                    l.trim_start().starts_with("//") && !l.contains("ANCHOR")
                })
                .map(|l| l.trim().trim_start_matches('/').trim())
                .collect();
            comment.reverse();
            let comment = comment.join(" ");
            let Some((title, section)) = shown_in(&comment) else {
                problems.push(format!(
                    "{at} has no `// Shown in \"PAGE TITLE\", section \"HEADING\"` marker"
                ));
                continue;
            };
            let Some((page, text)) =
                pages.iter().find(|(_, t)| page_title(t) == Some(title))
            else {
                problems.push(format!(
                    "{at} is marked as shown in \"{title}\", and no page has that title"
                ));
                continue;
            };
            let shows = |heading: &str| {
                found.iter().any(|i| {
                    &i.page == page
                        && i.anchor.as_deref() == Some(name)
                        && i.file() == path.as_str()
                        && sections_at(text, i.line)
                            .iter()
                            .any(|h| h == heading)
                })
            };
            if !headings(text).iter().any(|h| h == section) {
                problems.push(format!(
                    "{at} is marked as shown in \"{title}\", section \"{section}\", and src/{page} has no such heading"
                ));
            } else if !shows(section) {
                problems.push(format!(
                    "{at} is marked as shown in \"{title}\", section \"{section}\", and that section of src/{page} does not include it"
                ));
            }
        }
    }
    problems
}

/// The page title and section of a `Shown in "TITLE", section "HEADING"`
/// marker.
fn shown_in(comment: &str) -> Option<(&str, &str)> {
    let rest = comment.split_once("Shown in \"")?.1;
    let (title, rest) = rest.split_once('"')?;
    let section = rest.strip_prefix(", section \"")?.split('"').next()?;
    Some((title, section))
}

/// A heading as the reader sees it: `\(` and `\)` dropped, and the
/// backslash of a command (`\max`) too.
fn plain_heading(heading: &str) -> String {
    heading
        .replace("\\(", "")
        .replace("\\)", "")
        .replace('\\', "")
        .trim()
        .to_string()
}

/// The page's section headings (`##` and deeper), as the reader sees them.
fn headings(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("##"))
        .map(|l| plain_heading(l.trim_start_matches('#')))
        .collect()
}

/// The headings of the sections that line `line` (1-based) of a page is
/// in: the nearest heading, and each enclosing one of a higher level (a
/// `###` subsection is inside its `##` section).
fn sections_at(text: &str, line: usize) -> Vec<String> {
    let mut open: Vec<(usize, String)> = Vec::new();
    for l in text.lines().take(line).filter(|l| l.starts_with("##")) {
        let level = l.chars().take_while(|&c| c == '#').count();
        open.retain(|(lv, _)| *lv < level);
        open.push((level, plain_heading(l.trim_start_matches('#'))));
    }
    open.into_iter().map(|(_, h)| h).collect()
}
