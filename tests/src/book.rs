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
pub const FORBIDDEN: [&str; 4] = ["ignore", "no_run", "should_panic", "compile_fail"];

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
            (l.starts_with("{{#include ") || l.starts_with("{{#rustdoc_include "))
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
pub fn label_listings(generated: &str, listings: &[String]) -> Result<String, String> {
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
            &format!("fn main() {{ std::env::set_var({LISTING_VAR:?}, {listing:?});"),
            1,
        ));
    }
    Ok(out)
}

/// The `.md` targets of the links in SUMMARY.md, in order.
pub fn summary_targets(summary: &str) -> Vec<String> {
    Parser::new(summary)
        .filter_map(|event| match event {
            Event::Start(Tag::Link(_, dest, _)) if dest.ends_with(".md") => Some(dest.to_string()),
            _ => None,
        })
        .collect()
}

/// Pages missing from SUMMARY.md, and SUMMARY.md entries with no page.
pub fn summary_problems(pages: &[Page]) -> Vec<String> {
    let Some((_, summary)) = pages.iter().find(|(p, _)| p == "SUMMARY.md") else {
        return vec!["src/SUMMARY.md is missing".to_string()];
    };
    let targets = summary_targets(summary);
    let mut problems = Vec::new();
    for (path, _) in pages {
        if path != "SUMMARY.md" && !targets.contains(path) {
            problems.push(format!("src/{path} is not listed in src/SUMMARY.md"));
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
        .map(|(p, _)| format!("src/{p} has no rust block; every chapter checks what it says"))
        .collect()
}
