// The real-browser test behind .ci/browser-test (read that script first).
//
// Serves a built book from 127.0.0.1 and opens every chapter listed in the
// book's own table of contents (toc.html, made from SUMMARY.md), plus the
// print page, in headless Chromium at 1280 and 390 CSS px. On each page:
//
//   console   no console errors or uncaught exceptions;
//   requests  no failed request, and no request to any other host;
//   math      no formula left as raw TeX, every formula is MathML that the
//             browser lays out (fractions stacked, matrix rows stacked) and
//             that the accessibility tree exposes with the role "math";
//   sideways  the page does not scroll sideways (wide formulas, tables,
//             code and figures scroll inside their own boxes);
//   figures   every figure has a drawing, its smallest text is at least
//             11 CSS px as drawn, and a node's name keeps 6 units (an
//             input's 4) clear of its node's outline, in the font as drawn
//             (MIN_NODE_GAP); in all five mdBook
//             themes every figure text meets WCAG AA contrast (4.5:1)
//             against what is behind it ("contrast");
//   themes    every figure draws in the theme's colours (see inPageThemes);
//   print     print.html fits A4 paper (see checkPrint);
//   typeset   the mathematics is set as TeX would set it (primes, operator
//             names, aligned relations, signs, brace labels, brackets,
//             level subscripts, a transpose beside its base, italic
//             corrections, ellipses, tight scripts, room under a root,
//             large operators spaced as Op atoms, fractions as Inner atoms,
//             \big brackets without air inside, the script of a
//             closing bracket or bar as high as after a letter, and
//             no punctuation orphaned after an inline formula): see
//             inPageTypeset; every stretched brace is drawn along
//             the whole of its base, in the pixels (checkBraces); and a
//             matrix's brackets stand as far from its cells on both sides
//             (checkBrackets).
//             These checks run once more on every chapter
//             in each other math font of MATH_FONTS, at both widths;
//   fonts     each of those fonts is installed, so that its run means
//             something.
//   cue       every box that scrolls sideways shows it at its cut edge, and
//   clipped   nothing is cut off by a box that does not scroll (both are
//             described at "Phones" below).
//
// Screenshots of every page at both widths go to the output folder, and of
// every chapter at 390 px in the navy theme too (NAME-390-navy.png).
//
//   node browser-test.js BOOK_DIR OUT_DIR            test the book
//   node browser-test.js BOOK_DIR OUT_DIR --self-test
//        break a copy of the book once per check and show each is caught
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const WIDTHS = [1280, 390];
const MIN_FIGURE_TEXT_PX = 11;
const MIN_CONTRAST = 4.5;
// User units between a node's name and the inside of its outline: an
// operation's symbol (in a circle or a pill) and an input's name (in a box).
const MIN_NODE_GAP = { op: 6, input: 4 };
const MIN_PRINT_TEXT_PX = 7 * 96 / 72; // 7 pt: the smallest figure text on paper
const THEMES = ['light', 'rust', 'coal', 'navy', 'ayu'];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The math fonts that theme/local-gradients.css names and Debian packages:
// Latin Modern Math (fonts-lmodern) and Noto Sans Math (fonts-noto-core).
// STIX Two Math and Cambria Math are not packaged. .ci/browser-test makes
// both available to the browser it starts.
const MATH_FONTS = ['Latin Modern Math', 'Noto Sans Math'];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.txt': 'text/plain',
};

// A tiny static server on 127.0.0.1 that serves every directory in `roots`
// under /<index>/ (one per book variant in the self-test).
function serve(roots) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const m = url.pathname.match(/^\/(\d+)(\/.*)$/);
    const root = m && roots[Number(m[1])];
    let file = root && path.join(root, decodeURIComponent(m[2]));
    if (file && !file.startsWith(root)) file = null;
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Chapters in reading order, from the book's table of contents.
function chapters(book) {
  const toc = fs.readFileSync(path.join(book, 'toc.html'), 'utf8');
  const pages = [];
  for (const m of toc.matchAll(/href="([^"#]+\.html)"/g)) {
    if (!pages.includes(m[1])) pages.push(m[1]);
  }
  if (pages.length === 0) throw new Error('no chapters found in toc.html');
  return pages;
}

// Everything below `inPage*` runs inside the page.
function inPageChecks() {
  const problems = { math: [], sideways: [], figures: [] };
  const main = document.querySelector('main');
  const where = (el) => (el.closest('[id]') ? '#' + el.closest('[id]').id : el.tagName.toLowerCase());

  // math: raw TeX anywhere in the prose (code may show TeX on purpose).
  const skip = 'pre, code, math, script, style, svg';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest(skip)) continue;
    const raw = n.data.match(/\\[A-Za-z]+|\\[()[\]]|\$\$|[_^]\{/);
    if (raw) problems.math.push(`raw TeX "${raw[0]}" in "${n.data.trim().slice(0, 60)}"`);
  }
  for (const e of main.querySelectorAll('.katex-error')) problems.math.push(`KaTeX error: ${e.textContent.slice(0, 60)}`);
  const katex = [...main.querySelectorAll('.katex')];
  for (const k of katex) {
    // Markdown markup in a formula's TeX (say, two "}_{" read as emphasis)
    // ends the MathML early and spills the rest into the text.
    const stray = [...k.childNodes].filter((c) => (c.nodeType === 1 && c.localName !== 'math') || (c.nodeType === 3 && c.data.trim()));
    if (stray.length) problems.math.push(`formula broken apart by Markdown: "${k.textContent.slice(0, 60)}"`);
    const math = k.querySelector('math');
    if (!math) { problems.math.push(`formula without MathML: "${k.textContent.slice(0, 40)}"`); continue; }
    const hidden = math.closest('[aria-hidden="true"]');
    if (hidden) problems.math.push(`MathML hidden from assistive technology: "${k.textContent.slice(0, 40)}"`);
    const r = math.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(math).display === 'none') {
      problems.math.push(`formula not drawn: "${k.textContent.slice(0, 40)}"`);
    }
  }
  // Letters in a style MathML Core cannot draw (the book's preprocessor,
  // chapters-code/drop-tex/, turns them into the Unicode characters, ℝ).
  for (const el of main.querySelectorAll('[mathvariant]:not([mathvariant="normal"])')) {
    if (el.textContent.length === 1 && el.localName === 'mi' && el.getAttribute('mathvariant') === 'italic') continue;
    problems.math.push(`mathvariant="${el.getAttribute('mathvariant')}" on "${el.textContent}" is drawn as a plain letter`);
  }
  // Laid out as mathematics, not as a run of characters: numerators above
  // denominators, matrix rows one below the other.
  for (const f of main.querySelectorAll('mfrac')) {
    const [num, den] = f.children;
    if (!num || !den || num.getBoundingClientRect().bottom > den.getBoundingClientRect().top + 1) {
      problems.math.push(`fraction not stacked: "${f.textContent.slice(0, 40)}"`);
    }
  }
  for (const t of main.querySelectorAll('mtable')) {
    const rows = [...t.children].filter((c) => c.tagName.toLowerCase() === 'mtr');
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].getBoundingClientRect().top < rows[i - 1].getBoundingClientRect().bottom - 1) {
        problems.math.push(`matrix rows not stacked: "${t.textContent.slice(0, 40)}"`);
        break;
      }
    }
  }

  // sideways: neither the page nor any box around the text scrolls (or
  // clips) sideways. Boxes inside the text (code, tables, display formulas,
  // figures) may scroll on their own; boxes that let overflow show (main)
  // are fine as long as the box around them does not grow.
  let limit = window.innerWidth;
  for (let el = main.parentElement; el; el = el.parentElement) {
    const st = getComputedStyle(el);
    if (st.overflowX === 'visible') continue;
    if (limit === window.innerWidth) limit = el.getBoundingClientRect().right + 1;
    if (el.scrollWidth > el.clientWidth + 1) {
      problems.sideways.push(`<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}> is ${el.scrollWidth} px wide in a ${el.clientWidth} px view`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.sideways.push(`the document is ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  // Which wide child is to blame, for the message.
  if (problems.sideways.length) {
    for (const el of main.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > limit && !el.parentElement.closest('pre, .table-wrapper, .katex, .lg-figure')) {
        problems.sideways.push(`too wide: <${el.tagName.toLowerCase()}> near ${where(el)} reaches x = ${Math.round(r.right)}`);
        break;
      }
    }
  }

  // figures: present, drawn, and their text readable.
  const figures = [...main.querySelectorAll('figure')];
  for (const [i, fig] of figures.entries()) {
    const name = `figure ${i + 1} (${fig.querySelector('svg title, img')?.textContent || fig.querySelector('img')?.alt || 'untitled'})`;
    const art = fig.querySelector('svg, img');
    const r = art && art.getBoundingClientRect();
    if (!art || r.width < 10 || r.height < 10 || (art.tagName === 'IMG' && !art.naturalWidth)) {
      problems.figures.push(`${name}: no drawing`);
      continue;
    }
    let smallest = Infinity;
    let which = '';
    for (const t of fig.querySelectorAll('svg text, svg tspan')) {
      const own = [...t.childNodes].some((c) => c.nodeType === 3 && c.data.trim());
      if (!own) continue;
      const m = t.getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (px < smallest) { smallest = px; which = t.textContent.trim(); }
    }
    if (smallest < MIN_PX) problems.figures.push(`${name}: text "${which}" is ${smallest.toFixed(1)} px (< ${MIN_PX})`);
    // A node's name (a text whose middle lies inside an .lg-node's outline,
    // a circle or a rounded box) keeps MIN_GAP units clear of the outline's
    // stroke: the corners of its box, as wide as the browser sets it, from
    // 0.75 em above its baseline (capitals, digits) to 0.25 em below.
    const nodes = [...fig.querySelectorAll('svg .lg-node')].map((n) => {
      const b = n.getBBox();
      const r = n.localName === 'circle' ? b.width / 2 : Math.min(parseFloat(getComputedStyle(n).rx) || 0, b.width / 2, b.height / 2);
      const [cx, cy, hw, hh] = [b.x + b.width / 2, b.y + b.height / 2, b.width / 2, b.height / 2];
      // How deep inside the outline a point is (negative outside).
      const depth = (x, y) => {
        const qx = Math.abs(x - cx) - (hw - r); const qy = Math.abs(y - cy) - (hh - r);
        return r - Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) - Math.min(Math.max(qx, qy), 0);
      };
      const need = n.classList.contains('lg-node-op') ? MIN_GAP.op : MIN_GAP.input;
      return { depth, need, stroke: parseFloat(getComputedStyle(n).strokeWidth) || 0 };
    });
    for (const t of fig.querySelectorAll('svg text')) {
      const b = t.getBBox();
      const home = nodes.filter((n) => n.depth(b.x + b.width / 2, b.y + b.height / 2) > 0).pop();
      if (!home || !t.getNumberOfChars()) continue;
      const size = parseFloat(getComputedStyle(t).fontSize);
      const base = t.getStartPositionOfChar(0).y;
      const [top, bottom] = [base - 0.75 * size, base + 0.25 * size];
      const corners = [[b.x, top], [b.x + b.width, top], [b.x, bottom], [b.x + b.width, bottom]];
      const gap = Math.min(...corners.map(([x, y]) => home.depth(x, y))) - home.stroke / 2;
      if (gap < home.need) problems.figures.push(`${name}: "${t.textContent.trim()}" comes ${gap.toFixed(1)} units from the outline of its node (< ${home.need})`);
    }
  }
  // Formulas a screen reader can reach now (a closed <details> hides its
  // content from everyone until it is opened).
  const reachable = katex.filter((k) => !k.closest('details:not([open])')).length;
  return { problems, formulas: katex.length, reachable, figures: figures.length };
}

// typeset: the mathematics set as TeX would set it, in the math font the
// page is drawn with. Each rule here guards one repair that the book's
// preprocessor (chapters-code/drop-tex/) makes at build time:
//   primes        a prime sits on its letter's baseline, not raised as a
//                 superscript (φ′, not φ with a tick far above it);
//   names         an operator name (ln, sin, max) has a space before an
//                 ordinary symbol that follows it, as in TeX ("ln p");
//   aligned       in an aligned block the relations of all rows stand in
//                 one column, right after their left sides;
//   punctuation   a comma, full stop, colon, semicolon, question mark or
//                 closing bracket after an inline formula never starts a
//                 line;
//   signs         a sign after a relation, an opening bracket, a comma or
//                 a large operator takes no space of its own ("= −2");
//   labels        an underbrace's label is at least 75% of its formula's
//                 size;
//   brackets      two bracketed groups side by side (the matrices of a
//                 product) do not touch;
//   closing       the superscript of a closing bracket or bar (‖W‖²) sits
//                 as high as after a letter, not above the bar's top.
// Runs in the page; each problem names the formula by its text.
function inPageTypeset() {
  const problems = [];
  const main = document.querySelector('main');
  const formula = (el) => {
    const m = el.closest('math');
    const t = (m ? m.textContent : el.textContent).replace(/\u2061/g, '').replace(/\s+/g, ' ').trim();
    return `"${t.length > 60 ? t.slice(0, 57) + '...' : t}"`;
  };
  const near = (el) => { const s = el.closest('section, [id]'); return s && s.id ? ` near #${s.id}` : ''; };
  const box = (el) => el.getBoundingClientRect();
  const em = (el) => parseFloat(getComputedStyle(el).fontSize);
  const shown = (el) => { const r = box(el); return r.width > 0 || r.height > 0; };
  const blank = (el) => el.localName === 'mspace' || (el.localName === 'mtext' && !el.textContent.trim());
  const PRIMES = /^[′″‴⁗]+$/;

  // primes
  for (const mo of main.querySelectorAll('mo')) {
    if (!PRIMES.test(mo.textContent) || !shown(mo)) continue;
    const p = mo.parentElement;
    let base = null;
    if (['msup', 'msubsup'].includes(p.localName) && p.lastElementChild === mo) base = p.firstElementChild;
    else for (let b = mo.previousElementSibling; b && !base; b = b.previousElementSibling) if (b.textContent !== '\u2061') base = b;
    if (!base || !shown(base)) continue;
    // The font's own box around each (not the ink): on one baseline, at one
    // size, the two boxes end at the same height.
    const fontBox = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };
    const rise = fontBox(base).bottom - fontBox(mo).bottom;
    if (rise > 0.15 * em(base)) {
      problems.push(`prime raised ${rise.toFixed(1)} px above the baseline of "${base.textContent}" in ${formula(mo)}${near(mo)}`);
    }
  }

  // names: the operator name, with its scripts or prime, and what follows.
  const ordinary = (el) => {
    if (!el || blank(el)) return false;
    if (['msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover'].includes(el.localName)) return ordinary(el.firstElementChild);
    if (el.localName === 'mrow') return !!el.firstElementChild && el.firstElementChild.localName !== 'mo' && ordinary(el.firstElementChild);
    return ['mi', 'mn', 'mfrac', 'msqrt', 'mtext'].includes(el.localName);
  };
  for (const apply of main.querySelectorAll('mo')) {
    if (apply.textContent !== '\u2061') continue;
    const name = apply.previousElementSibling;
    if (!name || name.localName !== 'mi') continue;
    let group = apply;
    const after = apply.nextElementSibling;
    if (!after || PRIMES.test(after.textContent)) {
      group = apply.parentElement;
      const up = group.parentElement;
      if (up && ['msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover'].includes(up.localName) && up.firstElementChild === group) group = up;
    }
    const next = group === apply ? after : group.nextElementSibling;
    if (!ordinary(next) || !shown(next)) continue;
    const end = group === apply ? box(name).right : box(group).right;
    const gap = box(next).left - end;
    if (gap < 0.1 * em(name)) {
      problems.push(`operator name "${name.textContent}" has no space before "${next.textContent}" (${gap.toFixed(1)} px) in ${formula(name)}${near(name)}`);
    }
  }

  // aligned: KaTeX's aligned is an mtable with columnalign="right left".
  const RELATION = /^(=|<|>|≤|≥|≠|≈|≡|∈|→|⟹|⇒|:=|\+=)$/;
  for (const t of main.querySelectorAll('mtable[columnalign^="right left"]')) {
    const xs = new Map();
    for (const tr of t.querySelectorAll(':scope > mtr')) {
      const cells = [...tr.children];
      for (let c = 1; c < cells.length; c += 2) {
        const rel = [...cells[c].querySelectorAll('mo')].find((mo) => RELATION.test(mo.textContent));
        if (!rel) continue;
        if (!xs.has(c)) xs.set(c, []);
        xs.get(c).push(Math.round(box(rel).left * 10) / 10);
        const left = document.createRange();
        left.selectNodeContents(cells[c - 1]);
        const l = left.getBoundingClientRect();
        const gap = box(rel).left - l.right;
        if (l.width > 0 && gap > 0.6 * em(rel)) {
          problems.push(`aligned: a gap of ${gap.toFixed(1)} px between the left side and "${rel.textContent}" in ${formula(t)}${near(t)}`);
        }
      }
    }
    for (const [, x] of xs) {
      if (Math.max(...x) - Math.min(...x) > 1) {
        problems.push(`aligned relations not in one column (x = ${x.join(', ')}) in ${formula(t)}${near(t)}`);
      }
    }
  }

  // punctuation: the first character after an inline formula.
  for (const k of main.querySelectorAll('.katex')) {
    const math = k.querySelector('math');
    if (!math || math.getAttribute('display') === 'block' || !shown(math)) continue;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    walker.currentNode = k.lastChild || k;
    let text = walker.nextNode();
    while (text && k.contains(text)) text = walker.nextNode();
    if (!text || !/^[,.;:!?)]/.test(text.data)) continue;
    const r = document.createRange();
    r.setStart(text, 0);
    r.setEnd(text, 1);
    const c = r.getBoundingClientRect();
    const m = box(math);
    if (c.top >= m.bottom - 1) {
      problems.push(`"${text.data[0]}" starts a line after the formula ${formula(math)}${near(k)}`);
    }
  }

  // signs: a − or + after a relation, an opening bracket, a comma or ∑.
  const opener = (el) => {
    if (!el) return false;
    if (['msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover'].includes(el.localName)) {
      return el.firstElementChild?.localName === 'mo' && /^[∑∏∫]$/.test(el.firstElementChild.textContent);
    }
    return el.localName === 'mo' && (RELATION.test(el.textContent) || /^[([{,;⟨∑∏∫]$/.test(el.textContent));
  };
  for (const mo of main.querySelectorAll('mo')) {
    if (!/^[−+±]$/.test(mo.textContent) || !shown(mo)) continue;
    let prev = mo.previousElementSibling;
    while (prev && blank(prev)) prev = prev.previousElementSibling;
    const next = mo.nextElementSibling;
    // An operator after the sign (∑ in "= −∑ x") brings its own space.
    const operator = next && (next.localName === 'mo' || next.firstElementChild?.localName === 'mo');
    if (!opener(prev) || !next || operator || !shown(next)) continue;
    const gap = box(next).left - box(mo).right;
    if (gap > 0.1 * em(mo)) {
      problems.push(`sign "${mo.textContent}" after "${prev.textContent}" spaced as a subtraction (${gap.toFixed(1)} px) in ${formula(mo)}${near(mo)}`);
    }
  }

  // labels: \underbrace{…}_{label} is <munder><munder>…<mo>⏟</mo></munder>label</munder>.
  for (const inner of main.querySelectorAll('munder > munder:first-child, mover > mover:first-child')) {
    const brace = inner.lastElementChild;
    const label = inner.nextElementSibling;
    if (!brace || !/^[⏟⏞]$/.test(brace.textContent) || !label) continue;
    const ratio = em(label) / em(inner);
    if (ratio < 0.75) {
      problems.push(`brace label "${label.textContent}" is ${em(label).toFixed(1)} px, ${Math.round(ratio * 100)}% of its formula, in ${formula(label)}${near(label)}`);
    }
  }

  // brackets: <mrow><mo fence>[</mo>…<mo fence>]</mo></mrow> side by side.
  const group = (el) => el && el.localName === 'mrow' && el.children.length > 1
    && el.firstElementChild.getAttribute('fence') === 'true' && el.lastElementChild.getAttribute('fence') === 'true';
  for (const g of main.querySelectorAll('mrow')) {
    const next = g.nextElementSibling;
    if (!group(g) || !group(next) || !shown(g)) continue;
    const gap = box(next.firstElementChild).left - box(g.lastElementChild).right;
    if (gap < 0.1 * em(g)) {
      problems.push(`two bracketed groups touch (${gap.toFixed(1)} px) in ${formula(g)}${near(g)}`);
    }
  }

  // The token a base or a script is: an <mi> or <mn>, alone or inside the
  // <mpadded> or one-child <mrow> around it.
  const token = (el) => {
    while (el && ['mpadded', 'mrow'].includes(el.localName) && el.children.length === 1) el = el.firstElementChild;
    return el && ['mi', 'mn'].includes(el.localName) && el.children.length === 0 ? el : null;
  };
  const fontBox = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };

  // subscripts: in one formula, the subscript of each single letter or
  // number drops by the same amount (x_i and y_i level), as in TeX.
  for (const math of main.querySelectorAll('math')) {
    const drops = new Map(); // base size and script size -> [[what, drop]]
    for (const s of math.querySelectorAll('msub')) {
      const base = token(s.firstElementChild);
      const sub = token(s.children[1]);
      if (!base || !sub || !shown(sub)) continue;
      const key = `${em(base)} ${em(sub)}`;
      if (!drops.has(key)) drops.set(key, []);
      drops.get(key).push([`${base.textContent}_${sub.textContent}`, fontBox(sub).bottom - fontBox(base).bottom]);
    }
    for (const [key, list] of drops) {
      const lo = list.reduce((a, b) => (b[1] < a[1] ? b : a));
      const hi = list.reduce((a, b) => (b[1] > a[1] ? b : a));
      if (hi[1] - lo[1] > 0.05 * parseFloat(key)) {
        problems.push(`subscripts at different depths: ${hi[0]} drops ${hi[1].toFixed(1)} px, ${lo[0]} ${lo[1].toFixed(1)} px, in ${formula(math)}${near(math)}`);
      }
    }
  }

  // transpose: the ⊤ of a superscript starts where its base ends (KaTeX's
  // \! comes out as a positive thin space before it).
  for (const t of main.querySelectorAll('msup > :last-child')) {
    const space = (c) => c.localName === 'mspace' || (c.localName === 'mtext' && /^[\s\u2061-\u2064]*$/.test(c.textContent));
    const top = t.localName === 'mi' ? t : [...t.children].find((c) => !space(c));
    if (!top || top.textContent !== '⊤' || !shown(top)) continue;
    const base = t.parentElement.firstElementChild;
    const gap = fontBox(top).left - box(t).left;
    if (gap > 0.05 * em(top)) {
      problems.push(`"⊤" set ${gap.toFixed(1)} px after the start of its superscript, away from "${base.textContent.slice(0, 20)}", in ${formula(t)}${near(t)}`);
    }
    // A \! before it pulls it 1/6 em towards its base, as in TeX.
    const pull = [...t.children].find((c) => c.localName === 'mspace' && c.nextElementSibling === top);
    const wanted = pull ? -parseFloat(getComputedStyle(pull).marginLeft || '0') || 0 : 0;
    const drawn = box(t).left - fontBox(top).left;
    if (pull && drawn < 0.1 * em(top)) {
      problems.push(`"⊤" pulled ${drawn.toFixed(1)} px towards "${base.textContent.slice(0, 20)}" by its negative space (\\!), not ${(0.1667 * em(top)).toFixed(1)} px (margin ${wanted.toFixed(1)} px), in ${formula(t)}${near(t)}`);
    }
  }

  // italic: an italic capital's ink reaches past its box; before whatever
  // follows it, and at the end of a formula, a fraction's part or a root,
  // it needs TeX's italic correction (a space at least that wide).
  const canvas = document.createElement('canvas').getContext('2d');
  const ROW = ['math', 'mrow', 'mstyle', 'mtd', 'msqrt', 'mpadded', 'menclose'];
  const overhang = (mi) => {
    const cs = getComputedStyle(mi);
    // The families the CSS names, without the generic "math", which a
    // canvas does not take (it would then keep its own font).
    const families = cs.fontFamily.split(',').map((f) => f.trim()).filter((f) => f !== 'math').join(', ');
    // Measured at 1000 px and scaled: a canvas rounds ink boxes to whole
    // pixels.
    canvas.font = `1000px ${families}`;
    const m = canvas.measureText(String.fromCodePoint(0x1d434 + mi.textContent.charCodeAt(0) - 65));
    return (m.actualBoundingBoxRight - m.width) * parseFloat(cs.fontSize) / 1000;
  };
  for (const mi of main.querySelectorAll('mi')) {
    if (!/^[A-Z]$/.test(mi.textContent) || mi.getAttribute('mathvariant') === 'normal' || !shown(mi)) continue;
    if (!ROW.includes(mi.parentElement.localName)) continue; // a base, under an accent
    let at = mi;
    while (!at.nextElementSibling && at.parentElement.localName === 'mrow' && at.parentElement.parentElement?.localName === 'mrow') at = at.parentElement;
    let space = 0;
    let next = at.nextElementSibling;
    for (; next && next.localName === 'mspace'; next = next.nextElementSibling) space += box(next).width;
    if (next) {
      // Whatever follows, but a prime, an invisible operator or a blank.
      if (!shown(next) || !next.textContent.trim()) continue;
      if (next.localName === 'mo' && (PRIMES.test(next.textContent) || /^[\u2061-\u2064]+$/.test(next.textContent))) continue;
    } else {
      // Or nothing: the end of the formula, of a fraction's part or of a
      // root (TeX adds the correction there too).
      const up = at.parentElement;
      const ends = ['math', 'mfrac', 'msqrt'];
      if (!ends.includes(up.localName) && !(up.localName === 'mrow' && ends.includes(up.parentElement.localName))) continue;
    }
    const over = overhang(mi);
    if (over - space > 0.03 * em(mi)) {
      problems.push(`italic "${mi.textContent}" runs ${over.toFixed(1)} px past its box into ${next ? `"${next.textContent}"` : `the end of its ${at.parentElement.localName === 'math' || at.parentElement.parentElement.localName === 'math' ? 'formula' : at.parentElement.closest('mfrac') ? 'fraction\'s part' : 'root'}`} after ${space.toFixed(1)} px of italic correction, in ${formula(mi)}${near(mi)}`);
    }
  }

  // ellipsis: "0, …, M" has a thin space after the comma and before the
  // next one, not an operator's space.
  for (const dots of main.querySelectorAll('mo')) {
    if (!/^[…⋯]$/.test(dots.textContent) || !shown(dots)) continue;
    const comma = (el) => el && el.localName === 'mo' && el.textContent === ',';
    const gaps = [];
    if (comma(dots.previousElementSibling)) gaps.push(['after', fontBox(dots).left - fontBox(dots.previousElementSibling).right]);
    let next = dots.nextElementSibling;
    while (next && next.localName === 'mspace') next = next.nextElementSibling;
    if (comma(next)) gaps.push(['before', fontBox(next).left - fontBox(dots).right]);
    for (const [side, gap] of gaps) {
      if (Math.abs(gap - 0.1667 * em(dots)) > 0.05 * em(dots)) {
        problems.push(`"${dots.textContent}" ${side} a comma ${gap.toFixed(1)} px away, not a thin space (${(0.1667 * em(dots)).toFixed(1)} px), in ${formula(dots)}${near(dots)}`);
      }
    }
  }

  // roots: the radicand's ink keeps clear of the bar of its root (√f).
  for (const root of main.querySelectorAll('msqrt')) {
    const t = token(root.firstElementChild) || root.querySelector('mi, mn');
    if (!t || !shown(t) || t.children.length) continue;
    const cs = getComputedStyle(t);
    canvas.font = `1000px ${cs.fontFamily.split(',').map((f) => f.trim()).filter((f) => f !== 'math').join(', ')}`;
    const letter = t.localName === 'mi' && /^[a-zA-Z]$/.test(t.textContent)
      ? String.fromCodePoint((/[a-z]/.test(t.textContent) ? 0x1d44e - 97 : 0x1d434 - 65) + t.textContent.charCodeAt(0)).replace('\u{1d455}', 'ℎ')
      : t.textContent;
    const m = canvas.measureText(letter);
    const k = parseFloat(cs.fontSize) / 1000;
    const ink = fontBox(t).bottom - (m.fontBoundingBoxDescent + m.actualBoundingBoxAscent) * k;
    const room = ink - box(root).top;
    if (room < 0.14 * em(t)) {
      problems.push(`"${t.textContent}" under a root sign reaches ${room.toFixed(1)} px from the top of the sign, its bar included (< ${(0.14 * em(t)).toFixed(1)} px), in ${formula(root)}${near(root)}`);
    }
  }
  // slashed: in running text a derivative is written ∂L/∂W, as TeX's
  // authors write it there: a stacked one is set small and opens the lines
  // around it. (Displays, matrices, scripts, fractions and a script's base
  // keep theirs stacked.)
  for (const f of main.querySelectorAll('math:not([display="block"]) mfrac')) {
    if (!shown(f) || f.children.length !== 2) continue;
    if (![...f.children].every((c) => c.textContent.startsWith('∂'))) continue;
    let held = false;
    for (let a = f; a.localName !== 'math'; a = a.parentElement) {
      const up = a.parentElement;
      if (['mtable', 'mfrac'].includes(up.localName) || (['msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover'].includes(up.localName) && up.firstElementChild !== a)) held = true;
      if (a === f && ['msub', 'msup', 'msubsup'].includes(up.localName)) held = true;
    }
    if (!held) problems.push(`"${f.firstElementChild.textContent}/${f.lastElementChild.textContent}" stacked in running text, in ${formula(f)}${near(f)}`);
  }
  // the superscript of a leaning capital with both scripts stands right of
  // its subscript by the letter's italic correction, as TeX sets Y²ᵢₖ
  for (const s of main.querySelectorAll('msubsup')) {
    const [base, sub, sup] = s.children;
    const letter = base && (base.localName === 'mpadded' ? base.firstElementChild : base);
    if (!shown(s) || !letter || letter.localName !== 'mi' || !/^[CFHIJKMNPTUVWXYZ]$/.test(letter.textContent)) continue;
    // The superscript's first drawn piece, past any space before it.
    let ink = sup;
    while (ink.localName === 'mrow' && ink.firstElementChild) ink = [...ink.children].find((c) => c.localName !== 'mspace') || ink.firstElementChild;
    const ahead = box(ink).left - box(sub).left;
    if (ahead < 0.05 * em(letter)) problems.push(`superscript "${sup.textContent}" of "${letter.textContent}" starts ${(ahead / em(letter)).toFixed(3)} em right of its subscript "${sub.textContent}", not by the letter's italic correction, in ${formula(s)}${near(s)}`);
  }
  // an accent over an italic letter sits right of the letter's middle,
  // over its slanted top, as TeX sets it (\bar X)
  for (const over of main.querySelectorAll('mover[accent="true"]')) {
    const [base, accent] = over.children;
    if (!shown(over) || !base || !accent || base.localName !== 'mi' || base.hasAttribute('mathvariant') || !/^[A-Za-z]$/.test(base.textContent) || accent.getAttribute('stretchy') === 'true') continue;
    const [b, a] = [box(base), box(accent)];
    const right = ((a.left + a.right) - (b.left + b.right)) / 2;
    if (right < 0.04 * em(base)) problems.push(`the accent "${accent.textContent}" over "${base.textContent}" is centred ${(right / em(base)).toFixed(3)} em right of the letter's middle, not over its slanted top, in ${formula(over)}${near(over)}`);
  }
  // a formula in a heading is as bold as the heading's words
  for (const m of main.querySelectorAll(':is(h1, h2, h3, h4, h5, h6) math')) {
    const weight = (el) => parseInt(getComputedStyle(el).fontWeight, 10);
    const h = m.closest('h1, h2, h3, h4, h5, h6');
    if (weight(m) < weight(h)) problems.push(`the formula ${formula(m)} in the heading "${h.textContent.slice(0, 40)}" has weight ${weight(m)}, its words ${weight(h)}`);
  }
  // a fraction's bar ends 0.12 em inside its box on each side, the room
  // TeX leaves around a fraction (\nulldelimiterspace); the bar is as wide
  // as the wider of numerator and denominator.
  for (const f of main.querySelectorAll('mfrac')) {
    if (!shown(f) || f.children.length !== 2) continue;
    const b = box(f);
    const parts = [...f.children].map(box);
    const room = Math.min(Math.min(...parts.map((p) => p.left)) - b.left, b.right - Math.max(...parts.map((p) => p.right)));
    if (room < 0.1 * em(f)) {
      problems.push(`the fraction "${f.firstElementChild.textContent.slice(0, 12)}/${f.lastElementChild.textContent.slice(0, 12)}" leaves ${room.toFixed(1)} px beside its bar, not TeX's 0.12 em (${(0.12 * em(f)).toFixed(1)} px), in ${formula(f)}${near(f)}`);
    }
  }
  // roots end at their bar: what follows a root starts where its radicand
  // ends (the box's right edge, less any negative margin, which
  // theme/root-width.js sets in fonts that make the box wider).
  for (const root of main.querySelectorAll('msqrt, mroot')) {
    if (!shown(root)) continue;
    const parts = root.localName === 'mroot' ? [root.firstElementChild] : [...root.children];
    const end = Math.max(...parts.map((c) => box(c).right));
    const past = box(root).right + parseFloat(getComputedStyle(root).marginRight) - end;
    if (past > 0.03 * em(root)) {
      problems.push(`"${root.textContent}" takes ${(past / em(root)).toFixed(3)} em past the end of its bar, in ${formula(root)}${near(root)}`);
    }
  }

  // operators: ∑ (∏, ∫ …, alone or with its limits) is spaced as TeX spaces
  // an Op atom: beside a relation or a binary operator only their own
  // space, nothing beside an opening or a closing bracket on its inner side,
  // a thin space from a letter, a number or a fraction (the gaps between
  // the boxes, in em; the browser adds the dictionary's thin space to all).
  const SCRIPTED = ['msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover'];
  const large = (el) => el && (el.localName === 'mo' ? /^[∑∏∐∫∮⋃⋂]$/.test(el.textContent) : SCRIPTED.includes(el.localName) && large(el.firstElementChild));
  const opClass = (el) => {
    if (!el || blank(el) || !shown(el)) return null;
    if (['mi', 'mn', 'mfrac'].includes(el.localName)) return 'Ord';
    if (SCRIPTED.includes(el.localName)) {
      // A letter, or (given no depth by drop-tex) a primed letter.
      const padded = el.firstElementChild?.localName === 'mpadded';
      const b = padded ? el.firstElementChild.firstElementChild : el.firstElementChild;
      return ['mi', 'mn'].includes(b?.localName) || (padded && b?.localName === 'mrow') ? 'Ord' : null;
    }
    if (el.localName !== 'mo' || el.getAttribute('form') === 'prefix') return null;
    const t = el.textContent;
    if (RELATION.test(t)) return 'Rel';
    let prev = el.previousElementSibling;
    while (prev && blank(prev)) prev = prev.previousElementSibling;
    if (/^[+−±]$/.test(t) && !prev) return 'Ord'; // a sign opening its row
    if (/^[+−±×⋅⊙⊗]$/.test(t)) return 'Bin';
    if (/^[([{⟨]$/.test(t)) return 'Open';
    if (/^[)\]}⟩]$/.test(t)) return 'Close';
    return null;
  };
  const OP_SPACE = { // TeX's space (em) between an Op and its neighbour
    before: { Rel: 0.2778, Bin: 0.2222, Open: 0, Ord: 0.1667, Close: 0.1667 },
    after: { Rel: 0.2778, Close: 0, Open: 0, Ord: 0.1667 },
  };
  for (const core of main.querySelectorAll('mo')) {
    if (!large(core) || !shown(core)) continue;
    let op = core;
    while (SCRIPTED.includes(op.parentElement.localName) && op.parentElement.firstElementChild === op) op = op.parentElement;
    if (getComputedStyle(op).mathDepth !== '0') continue; // in a script
    for (const [side, n] of [['before', op.previousElementSibling], ['after', op.nextElementSibling]]) {
      const c = opClass(n);
      const want = c && OP_SPACE[side][c];
      if (want === undefined || want === null) continue;
      const gap = (side === 'before' ? box(op).left - box(n).right : box(n).left - box(op).right) / em(op);
      if (Math.abs(gap - want) > 0.05) {
        problems.push(`"${core.textContent}" ${gap.toFixed(3)} em ${side} "${n.textContent.slice(0, 10)}" (${c}), TeX puts ${want} em, in ${formula(op)}${near(op)}`);
      }
    }
  }

  // fractions: a fraction is TeX's Inner atom, a thin space from a letter,
  // a number or another fraction beside it, outside scripts (∂g/∂f ∂f/∂x;
  // \dfrac is an <mfrac> in an <mstyle>).
  // A derivative drop-tex wrote with a slash in running text (∂L/∂W,
  // <mrow class="lg-slashed">) keeps the fraction's thin space: "∂z/∂y ∂y/∂x".
  const fraction = (el) => el && (el.localName === 'mfrac' || (el.localName === 'mstyle' && el.children.length === 1 && el.firstElementChild.localName === 'mfrac') || (el.localName === 'mrow' && el.getAttribute('class') === 'lg-slashed'));
  // A closing bracket, or one with scripts: TeX puts a thin space between
  // it and a fraction after it, "(∂y/∂x)⊤ ∂L/∂y".
  const closing = (el) => el && shown(el) && ((el.localName === 'mo' && /^[)\]}⟩]$/.test(el.textContent)) || (['msub', 'msup', 'msubsup'].includes(el.localName) && closing(el.firstElementChild)));
  // A letter, a number or a fraction, or one of them with scripts (W⊤).
  const letterOrFraction = (el) => el && (['mi', 'mn'].includes(el.localName) || fraction(el) || (['msub', 'msup', 'msubsup'].includes(el.localName) && letterOrFraction(el.firstElementChild))) && shown(el);
  for (const f of main.querySelectorAll('mfrac, mrow.lg-slashed')) {
    const e = f.localName === 'mfrac' && fraction(f.parentElement) ? f.parentElement : f;
    if (!shown(e) || getComputedStyle(e).mathDepth !== '0') continue;
    let next = e.nextElementSibling;
    while (next && next.localName === 'mspace') next = next.nextElementSibling;
    let prev = e.previousElementSibling;
    while (prev && prev.localName === 'mspace') prev = prev.previousElementSibling;
    const pairs = [];
    if (letterOrFraction(next)) pairs.push([e, next]);
    if ((letterOrFraction(prev) || closing(prev)) && !fraction(prev)) pairs.push([prev, e]); // two fractions: once
    for (const [a, b] of pairs) {
      const gap = box(b).left - box(a).right;
      if (gap < 0.12 * em(e)) {
        problems.push(`a fraction and "${(a === e ? b : a).textContent.slice(0, 12)}" ${gap.toFixed(1)} px apart, not TeX's thin space (${(0.1667 * em(e)).toFixed(1)} px), in ${formula(e)}${near(e)}`);
      }
    }
  }

  // big brackets: a \big( (KaTeX's <mo fence="false">) has a box no wider
  // than its character at its size; stretched by the browser, its box is
  // the font's widest bracket, with air inside. \Big and larger are still
  // stretched by the browser (minsize above 1.2em) and not checked.
  for (const mo of main.querySelectorAll('mo[fence="false"]')) {
    if (!/^[()[\]{}]$/.test(mo.textContent) || !shown(mo)) continue;
    const min = mo.getAttribute('minsize');
    if (min && parseFloat(min) > 1.2) continue;
    const cs = getComputedStyle(mo);
    canvas.font = `${cs.fontSize} ${cs.fontFamily.split(',').map((f) => f.trim()).filter((f) => f !== 'math').join(', ')}`;
    const own = canvas.measureText(mo.textContent).width;
    const air = box(mo).width - own;
    if (air > 0.05 * em(mo)) {
      problems.push(`"${mo.textContent}" drawn in a box ${air.toFixed(1)} px wider than its character (${own.toFixed(1)} px): air inside the bracket, in ${formula(mo)}${near(mo)}`);
    }
  }

  // scripts: a relation or a binary operator inside a script takes no
  // space, as in TeX's script style (\sum_{i=1}).
  for (const mo of main.querySelectorAll(':is(msub, msup, msubsup, munder, mover, munderover) > :not(:first-child) mo')) {
    if (!/^[=<>≤≥+−×]$/.test(mo.textContent) || !shown(mo)) continue;
    const prev = mo.previousElementSibling;
    const next = mo.nextElementSibling;
    if (!prev || !next || blank(prev) || blank(next) || prev.localName === 'mo') continue;
    const gap = Math.max(fontBox(mo).left - box(prev).right, box(next).left - fontBox(mo).right);
    if (gap > 0.1 * em(mo)) {
      problems.push(`"${mo.textContent}" spaced ${gap.toFixed(1)} px in a script, as on the line, in ${formula(mo)}${near(mo)}`);
    }
  }

  // closing: the superscript of a closing bracket or a norm's bar (‖W‖²,
  // (dY)⊤) is raised as high as the superscript of a letter (x²), as TeX
  // raises the script of any single character, not above the bracket's
  // top. The letter is a sample set beside the formula, at its size.
  for (const s of main.querySelectorAll('msup, msubsup')) {
    let base = s.firstElementChild;
    if (base.localName === 'mpadded' && base.children.length === 1) base = base.firstElementChild;
    const sup = s.localName === 'msup' ? s.children[1] : s.children[2];
    if (!base || !sup || !['mo', 'mi'].includes(base.localName) || !/^[)\]}‖|]$/.test(base.textContent)) continue;
    if (base.hasAttribute('mathsize') || base.getAttribute('stretchy') === 'true' || !shown(base)) continue;
    const sample = document.createElementNS(s.namespaceURI, 'msup');
    sample.innerHTML = `<mi>x</mi>${sup.outerHTML}`;
    s.after(sample);
    const want = fontBox(sample.firstElementChild).bottom - fontBox(sample.lastElementChild).bottom;
    sample.remove();
    const rise = fontBox(base).bottom - fontBox(sup).bottom;
    if (rise - want > 0.08 * em(base)) {
      problems.push(`superscript "${sup.textContent}" raised ${((rise - want) / em(base)).toFixed(2)} em above where it sits after a letter, over its "${base.textContent}", in ${formula(s)}${near(s)}`);
    }
  }
  return problems;
}

// Colour helpers, shared by the in-page checks that read colours
// (inPageContrast, inPageThemes, inPageScrollBoxes). openPage installs them
// once into every page, before the page's own scripts run, as
// window.lgColour; each check takes what it needs from there.
function inPageColourHelpers() {
  // A computed colour as [r, g, b, a] (0-255, alpha 0-1): rgb(…) or
  // rgba(…), or color(srgb …) for a color-mix(); null for anything else.
  const rgba = (c) => {
    let m = c && c.match(/rgba?\(([^)]+)\)/);
    if (m) {
      const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
    }
    m = c && c.match(/color\(srgb ([^)]+)\)/);
    if (!m) return null;
    const v = m[1].split(/[ /]+/).filter(Boolean).map(Number);
    return [v[0] * 255, v[1] * 255, v[2] * 255, v.length > 3 ? v[3] : 1];
  };
  // WCAG's relative luminance, and the contrast ratio of two colours.
  const lum = (c) => {
    const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  // `top` painted with opacity `alpha` (its own, unless given) over the
  // opaque colour `under`.
  const over = (top, under, alpha = top[3]) => [0, 1, 2].map((i) => top[i] * alpha + under[i] * (1 - alpha)).concat(1);
  // A colour as a message writes it: rgb(r, g, b), with " / a" if not opaque.
  const show = (c) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')}${c[3] < 1 ? ' / ' + c[3] : ''})`;
  window.lgColour = Object.freeze({ rgba, lum, contrast, over, show });
}

// Contrast of every figure text against what is drawn behind it, in each
// theme: fill colour (with its opacity) over the last shape under the
// text's centre, over the page background.
function inPageContrast(themes) {
  const { rgba, contrast, over } = window.lgColour;
  const opacity = (el, stop) => {
    let o = 1;
    for (let e = el; e && e !== stop.parentElement; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const html = document.documentElement;
  const original = html.className;
  const failures = [];
  let checked = 0;
  for (const theme of themes) {
    html.classList.remove(...themes);
    html.classList.add(theme);
    // mdBook paints the theme's background on <html>.
    let page = rgba(getComputedStyle(document.body).backgroundColor);
    if (!page || page[3] === 0) page = rgba(getComputedStyle(html).backgroundColor);
    for (const svg of document.querySelectorAll('main figure svg')) {
      const shapes = [...svg.querySelectorAll('rect, circle, ellipse, path, polygon')];
      for (const t of svg.querySelectorAll('text, tspan')) {
        if (![...t.childNodes].some((c) => c.nodeType === 3 && c.data.trim())) continue;
        const box = t.getBBox();
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        let bg = page;
        for (const s of shapes) {
          if (!(s.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
          if (s.closest('marker, defs')) continue;
          const st = getComputedStyle(s);
          const fill = st.fill === 'none' ? null : rgba(st.fill);
          if (!fill || fill[3] === 0) continue;
          const b = s.getBBox();
          if (cx < b.x || cx > b.x + b.width || cy < b.y || cy > b.y + b.height) continue;
          if (s.tagName !== 'rect' && s.tagName !== 'circle' && s.tagName !== 'ellipse') {
            const p = svg.createSVGPoint(); p.x = cx; p.y = cy;
            if (!s.isPointInFill(p)) continue;
          }
          bg = over(fill, bg, fill[3] * parseFloat(st.fillOpacity) * opacity(s, svg));
        }
        const st = getComputedStyle(t);
        const fill = rgba(st.fill);
        if (!fill) continue;
        const fg = over(fill, bg, fill[3] * parseFloat(st.fillOpacity) * opacity(t, svg));
        const r = contrast(fg, bg);
        checked++;
        if (r < MIN_RATIO) {
          failures.push(`${theme}: "${t.textContent.trim().slice(0, 30)}" (${t.getAttribute('class') || t.parentElement.getAttribute('class')}) has contrast ${r.toFixed(2)}:1 (< ${MIN_RATIO})`);
        }
      }
    }
  }
  html.className = original;
  return { failures, checked };
}

// themes: every figure draws in the theme's colours, in all five themes.
// Each drawn element's fill and stroke (computed, where painted: not none,
// not transparent, opacity above 0) are read in every theme, and
//   - a colour that is the same in all five themes is hard-coded: it does
//     not come from the theme, and a plot's white panel, black axes or a
//     light tint would stay as they are on a dark page;
//   - a large area (the fills of one colour, at least 50% opaque, whose
//     boxes cover 15% of the drawing or more: a background, the regions of
//     a plot, not its bars or points) must be nearer the page's
//     background than its text (lower contrast with --bg than with --fg),
//     so that it reads as the page, as the text on it expects;
//   - each plot series colour (--lg-series-1..3) meets WCAG AA (4.5:1)
//     against the page.
const LARGE_AREA = 0.15;
function inPageThemes([themes, minRatio, largeArea]) {
  const { rgba, contrast, show } = window.lgColour;
  const html = document.documentElement;
  const original = html.className;
  const probe = document.createElement('span');
  document.querySelector('main').append(probe);
  const colour = (v) => { probe.style.color = v; return rgba(getComputedStyle(probe).color); };
  const problems = [];
  const describe = (el) => `<${el.localName}${el.getAttribute('class') ? ` class="${el.getAttribute('class')}"` : ''}>`;
  const figures = [...document.querySelectorAll('main figure svg')].map((svg, i) => {
    const vb = svg.viewBox.baseVal;
    const title = svg.querySelector('title')?.textContent || 'untitled';
    const els = [...svg.querySelectorAll('rect, circle, ellipse, line, path, polygon, polyline, text, tspan')];
    return { name: `figure ${i + 1} (${title})`, area: vb && vb.width ? vb.width * vb.height : 1, els, seen: els.map(() => ({ fill: [], stroke: [] })) };
  });
  let checked = 0;
  for (const theme of themes) {
    html.classList.remove(...themes);
    html.classList.add(theme);
    const bg = colour('var(--bg)');
    const fg = colour('var(--fg)');
    for (let k = 1; k <= 3; k++) {
      const c = colour(`var(--lg-series-${k})`);
      const r = c ? contrast(c, bg) : 0;
      if (r < minRatio) problems.push(`${theme}: --lg-series-${k} (${c ? show(c) : 'not set'}) has contrast ${r.toFixed(2)}:1 against the page (< ${minRatio})`);
    }
    for (const f of figures) {
      const areas = new Map();
      f.els.forEach((el, j) => {
        const st = getComputedStyle(el);
        if (st.display === 'none' || st.visibility === 'hidden' || parseFloat(st.opacity) === 0) return;
        for (const kind of el.localName === 'line' ? ['stroke'] : ['fill', 'stroke']) {
          const c = rgba(st[kind]);
          const a = c ? c[3] * parseFloat(kind === 'fill' ? st.fillOpacity : st.strokeOpacity) * parseFloat(st.opacity) : 0;
          if (!c || a === 0 || (kind === 'stroke' && !(parseFloat(st.strokeWidth) > 0))) continue;
          f.seen[j][kind].push(show(c));
          checked++;
          if (kind !== 'fill' || a < 0.5 || el.localName === 'text' || el.localName === 'tspan') continue;
          const b = el.getBBox();
          const key = show(c);
          areas.set(key, { c, area: (areas.get(key)?.area || 0) + b.width * b.height, el: areas.get(key)?.el || el });
        }
      });
      for (const [, { c, area, el }] of areas) {
        if (area < largeArea * f.area) continue;
        if (contrast(c, bg) >= contrast(c, fg)) {
          problems.push(`${theme}: ${f.name} fills ${Math.round(100 * area / f.area)}% of its drawing with ${show(c)} (first ${describe(el)}), nearer the text colour ${show(fg)} than the page ${show(bg)}`);
        }
      }
    }
  }
  // One line per figure, element and colour that stays the same in every theme.
  const fixed = new Set();
  for (const f of figures) {
    f.els.forEach((el, j) => {
      for (const kind of ['fill', 'stroke']) {
        const seen = f.seen[j][kind]; // (a line has no fill)
        if (seen.length === themes.length && seen.every((c) => c === seen[0])) {
          fixed.add(`${f.name}: ${describe(el)} has the ${kind} ${seen[0]} in every theme (a colour that does not come from the theme)`);
        }
      }
    });
  }
  html.className = original;
  probe.remove();
  return { problems: [...problems, ...fixed], checked };
}

// print: print.html printed on A4 paper. The book's @page rule must say
// `size: A4` and give its side margins; the page box is then 210 mm less
// the margins wide (in CSS px, 96 to the inch). The page is laid out at
// that width with print media emulated, and every figure, display formula
// and code block must lie inside the page box, its content not cut off by a
// box around it (nothing scrolls on paper), and every figure text must be
// at least 7 pt. Then Chromium prints it to a PDF (opts.print), which must
// have A4 pages (pdfinfo) and no word past the right margin (pdftotext),
// where poppler's tools are installed.
function inPagePageRule() {
  const mm = (v) => {
    const m = /^([\d.]+)(mm|cm|in|px|pt)$/.exec(v.trim());
    return m ? parseFloat(m[1]) * { mm: 1, cm: 10, in: 25.4, px: 25.4 / 96, pt: 25.4 / 72 }[m[2]] : null;
  };
  for (const sheet of document.styleSheets) {
    let rules = [];
    try { rules = [...sheet.cssRules]; } catch { continue; }
    for (const r of rules) {
      if (!(r instanceof CSSPageRule) || r.selectorText) continue;
      const size = r.style.getPropertyValue('size').trim();
      if (!size) continue;
      return { size, left: mm(r.style.getPropertyValue('margin-left')), right: mm(r.style.getPropertyValue('margin-right')) };
    }
  }
  return null;
}

function inPagePrintFit([minTextPx]) {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const main = document.querySelector('main');
  const words = (el) => el.textContent.replace(/\s+/g, ' ').trim().slice(0, 50);
  const boxes = [
    ...[...main.querySelectorAll('figure')].map((f) => [f.querySelector('svg, img'), `figure "${f.querySelector('svg title')?.textContent || words(f)}"`]),
    ...[...main.querySelectorAll('.katex > math[display="block"]')].map((m) => [m, `display formula "${words(m)}"`]),
    ...[...main.querySelectorAll('pre > code')].map((c) => [c, `code block "${words(c)}"`]),
  ];
  let smallest = Infinity; let which = '';
  for (const [el, what] of boxes) {
    if (!el) continue;
    const r = el.getBoundingClientRect();
    const own = getComputedStyle(el).overflowX;
    // Content wider than its box spills out of it (overflow visible) or is
    // cut off by it.
    const wider = el.scrollWidth - el.clientWidth;
    const right = Math.max(r.right, own === 'visible' && wider > 1 ? r.left + el.scrollWidth : 0);
    if (right > width + 0.5) {
      problems.push(`${what} reaches x = ${Math.round(right)} px, ${Math.round(right - width)} px past the right edge of the page box (${width} px)`);
      continue;
    }
    if (own !== 'visible' && wider > 1) {
      problems.push(`${what} is cut off: its content is ${wider} px wider than its box (overflow ${own})`);
      continue;
    }
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const st = getComputedStyle(a);
      if (st.overflowX === 'visible') continue;
      const ar = a.getBoundingClientRect();
      if (right > ar.right + 0.5 || r.left < ar.left - 0.5) {
        problems.push(`${what} is cut off by <${a.localName}${a.className ? '.' + String(a.className).trim().split(/\s+/).join('.') : ''}> (overflow ${st.overflowX}): ${Math.round(right - ar.right)} px on the right`);
        break;
      }
    }
  }
  // Nothing scrolls on paper: a box that would prints its scrollbar.
  for (const el of main.querySelectorAll('*')) {
    const st = getComputedStyle(el);
    if (![st.overflowX, st.overflowY].some((o) => o === 'auto' || o === 'scroll')) continue;
    const over = Math.max(el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight);
    if (over > 0) {
      problems.push(`<${el.localName}${el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : ''}> "${words(el)}" scrolls in print (overflow ${st.overflowX} ${st.overflowY}, content ${over} px past its box), so its scrollbar is printed`);
    }
  }
  for (const t of main.querySelectorAll('figure svg text, figure svg tspan')) {
    if (![...t.childNodes].some((c) => c.nodeType === 3 && c.data.trim())) continue;
    const m = t.getScreenCTM();
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (px < smallest) { smallest = px; which = t.textContent.trim(); }
  }
  if (smallest < minTextPx) problems.push(`figure text "${which}" is ${(smallest * 72 / 96).toFixed(1)} pt on paper (< ${(minTextPx * 72 / 96).toFixed(1)} pt)`);
  // Every exercise's solution is printed: a closed <details> prints as a
  // bare "Solution" (theme/print-details.js opens them).
  const closed = [...main.querySelectorAll('details:not([open])')];
  if (closed.length) problems.push(`${closed.length} of ${main.querySelectorAll('details').length} <details> are closed in print, so their content is not printed (first: "${words(closed[0])}")`);
  return { problems, width, boxes: boxes.length };
}

// Runs a poppler tool; null when it is not installed.
function poppler(tool, args) {
  try {
    return require('child_process').execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

async function checkPrint(page, pdf) {
  const problems = [];
  const rule = await page.evaluate(inPagePageRule);
  if (!rule || !/^A4( portrait)?$/i.test(rule.size) || rule.left == null || rule.right == null) {
    problems.push(`the book's CSS has no @page rule with size A4 and side margins (found ${JSON.stringify(rule)})`);
    return { problems };
  }
  const width = Math.round((210 - rule.left - rule.right) * 96 / 25.4);
  await page.setViewportSize({ width, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  await page.evaluate(() => document.fonts.ready);
  const fit = await page.evaluate(inPagePrintFit, [MIN_PRINT_TEXT_PX]);
  problems.push(...fit.problems);
  // The last two words of every sentence that ends in a colon and
  // introduces a listing, list, figure, table or display.
  const tail = (t) => t.normalize('NFKC').replace(/\s+/g, ' ').trim().split(' ').slice(-2).join(' ');
  const leads = new Set((await page.evaluate(() => [...document.querySelectorAll('main p')]
    .filter((p) => /:\s*$/.test(p.textContent) && p.nextElementSibling?.matches('pre, ul, ol, figure, .lg-figure, .table-wrapper, p:has(> .katex > math[display="block"])'))
    .map((p) => p.textContent))).map(tail));
  fs.mkdirSync(path.dirname(pdf), { recursive: true });
  await page.pdf({ path: pdf, preferCSSPageSize: true });
  const info = poppler('pdfinfo', [pdf]);
  let checkedPdf = 'no poppler';
  if (info !== null) {
    const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
    if (!size || Math.abs(size[1] - 595.3) > 2 || Math.abs(size[2] - 841.9) > 2) problems.push(`the PDF's pages are not A4: ${size ? size[0] : info.slice(0, 80)}`);
    const text = poppler('pdftotext', ['-bbox', pdf, '-']) || '';
    const pageWidth = size ? parseFloat(size[1]) : 595.3;
    const edge = pageWidth - rule.right * 72 / 25.4 + 1;
    let n = 0; let p = 0;
    const last = [];
    for (const line of text.split('\n')) {
      if (line.includes('<page ')) { p++; last[p] = []; }
      const m = /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>(.*)<\/word>/.exec(line);
      if (!m) continue;
      n++;
      if (parseFloat(m[2]) > edge) problems.push(`PDF page ${p}: "${m[3]}" runs past the right margin (x = ${parseFloat(m[2]).toFixed(0)} pt > ${edge.toFixed(0)} pt)`);
      // The page's last line: the words of its lowest baseline.
      const y = parseFloat(m[1]);
      if (!last[p].length || y > last[p][0].y + 2) last[p] = [];
      if (!last[p].length || Math.abs(y - last[p][0].y) <= 2) last[p].push({ y, word: m[3] });
    }
    // No page ends with a "Solution" whose solution is overleaf, or with
    // the colon of a sentence whose display, list or listing is.
    for (let k = 1; k < p; k++) {
      const words = (last[k] || []).map((w) => w.word).join(' ');
      if (/^Solution$/.test(words)) problems.push(`PDF page ${k} ends with "Solution": its solution starts overleaf`);
      else if (/:$/.test(words) && leads.has(tail(words))) problems.push(`PDF page ${k} ends with the lead-in "${words.slice(-60)}": what it introduces starts overleaf`);
    }
    checkedPdf = `${p} A4 pages, ${n} words`;
  }
  return { problems: problems.slice(0, 20), width, boxes: fit.boxes, checkedPdf };
}

// Which of `families` the browser has: text drawn in "F", monospace comes
// out wider or narrower than in monospace alone only if F is installed.
function inPageFonts(families) {
  const ctx = document.createElement('canvas').getContext('2d');
  const width = (font) => { ctx.font = font; return ctx.measureText('x∑ℝ=(0.5)′ln αβγ').width; };
  const has = {};
  for (const f of families) {
    has[f] = ['monospace', 'serif'].some((g) => width(`20px "${f}", ${g}`) !== width(`20px ${g}`));
  }
  return has;
}

// The math font a page's formulas are drawn with: the first font of the
// CSS's list for <math> that is installed.
async function usedMathFont(page) {
  const stack = await page.evaluate(() => {
    const m = document.querySelector('math');
    return m ? getComputedStyle(m).fontFamily.split(',').map((f) => f.trim().replace(/^"|"$/g, '')) : [];
  });
  const has = await page.evaluate(`(${inPageFonts.toString()})(${JSON.stringify(stack)})`);
  return stack.find((f) => has[f]) || 'the browser\'s default';
}

// Phones: boxes that scroll sideways (checks "cue" and "clipped").
//
//   cue      every box inside main that scrolls sideways on its own and is
//            wider inside than it is (scrollWidth > clientWidth) shows a cue
//            at the cut edge. What counts: the scroll-shadow backgrounds (a
//            gradient fixed to the box, background-attachment `scroll`, and
//            one that moves with its content, `local`, which covers the
//            first at the ends), or shadow strips on top of the content
//            (sticky ::before and ::after, faded by a scroll-driven
//            animation). A box-shadow or a scrollbar does not count: neither
//            goes away at the end of the scroll, and phones draw scrollbars
//            only while a box is being scrolled. In all five themes, the
//            covers must have the box's own colour and the box the colour
//            behind it (code blocks excepted: they have their own), or a
//            patch would show. Then the pixels: in one theme per page (in
//            turn), every figure and table and the first box of each other
//            kind (display formula, inline formula, code block) is shot with
//            and without its cue, scrolled to its start and to its end: the
//            cue must show along at least half of the edge where the content
//            continues (so a drawing's opaque fill may not hide it), and not
//            at an edge whose end is in view; a box that fits shows none.
//   clipped  nothing inside main is cut off by a box that does not scroll
//            (overflow hidden or clip), nor lies beyond the part of a
//            scrolling box that can be scrolled to.
const CUE_STRIP_PX = 8; // the width of the edge strip whose pixels are compared
const CUE_ROW_DIFF = 3; // a strip row shows the cue if it differs by this much on average (0-255)
const CUE_MIN_SHARE = 0.5; // the share of the edge's rows that must show it

function inPageScrollBoxes([themes, minRatio]) {
  const main = document.querySelector('main');
  const problems = { cue: [], clipped: [] };
  // What a closed <details> holds is checked as a reader who opens it sees it.
  const closed = [...main.querySelectorAll('details:not([open])')];
  for (const d of closed) d.open = true;
  const heads = [...main.querySelectorAll('h1[id], h2[id], h3[id], h4[id]')];
  const describe = (el) => {
    const what = el.matches('pre > code') ? 'code block'
      : el.matches('.katex') ? (el.querySelector(':scope > math[display="block"]') ? 'display formula' : 'inline formula')
        : el.matches('.lg-figure') ? 'figure'
          : el.matches('.table-wrapper') ? 'table'
            : `<${el.localName}${el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\s+/).join('.') : ''}>`;
    const head = heads.filter((h) => h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    const words = el.textContent.replace(/\s+/g, ' ').trim();
    return `${what} "${words.slice(0, 40)}${words.length > 40 ? '…' : ''}"${head ? ` under #${head.id}` : ''}`;
  };
  const clips = (v) => v !== 'visible';
  const scrolls = (v) => v === 'auto' || v === 'scroll';

  // The box that clips each element: its nearest ancestor below <body>
  // whose overflow is not visible (the viewport is the "sideways" check's).
  const style = new Map();
  const st = (el) => { let s = style.get(el); if (!s) { s = getComputedStyle(el); style.set(el, s); } return s; };
  const clipperOf = new Map();
  const clipper = (el) => {
    if (clipperOf.has(el)) return clipperOf.get(el);
    const p = el.parentElement;
    const c = !p || p === document.body || p === document.documentElement ? null
      : clips(st(p).overflowX) || clips(st(p).overflowY) ? p : clipper(p);
    clipperOf.set(el, c);
    return c;
  };
  // What part of a clipping box's content can be seen, scrolling included.
  const reach = new Map();
  const reachOf = (c) => {
    if (reach.has(c)) return reach.get(c);
    const r = c.getBoundingClientRect();
    const left = r.left + c.clientLeft;
    const top = r.top + c.clientTop;
    const s = st(c);
    const x = !clips(s.overflowX) ? [-Infinity, Infinity]
      : scrolls(s.overflowX) ? [left - c.scrollLeft, left - c.scrollLeft + c.scrollWidth] : [left, left + c.clientWidth];
    const y = !clips(s.overflowY) ? [-Infinity, Infinity]
      : scrolls(s.overflowY) ? [top - c.scrollTop, top - c.scrollTop + c.scrollHeight] : [top, top + c.clientHeight];
    const out = { x, y };
    reach.set(c, out);
    return out;
  };

  const scrollers = [];
  const cut = new Set();
  for (const el of [main, ...main.querySelectorAll('*')]) {
    const s = st(el);
    if (scrolls(s.overflowX) && el.getClientRects().length) scrollers.push(el);
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const c = clipper(el);
    if (!c) continue;
    const { x, y } = reachOf(c);
    const out = [];
    if (r.left < x[0] - 1) out.push(`${Math.round(x[0] - r.left)} px on the left`);
    if (r.right > x[1] + 1) out.push(`${Math.round(r.right - x[1])} px on the right`);
    if (r.top < y[0] - 1) out.push(`${Math.round(y[0] - r.top)} px at the top`);
    if (r.bottom > y[1] + 1) out.push(`${Math.round(r.bottom - y[1])} px at the bottom`);
    if (!out.length) continue;
    cut.add(el);
    // One report per cut: an element whose ancestor is cut is part of it.
    let a = el.parentElement;
    while (a && a !== main && !cut.has(a)) a = a.parentElement;
    if (a && cut.has(a)) continue;
    const how = scrolls(st(c).overflowX) || scrolls(st(c).overflowY) ? 'beyond what scrolling reaches in' : 'by';
    problems.clipped.push(`${describe(el)} is cut off (${out.join(', ')}) ${how} ${describe(c)} (overflow ${st(c).overflowX} ${st(c).overflowY}), ${Math.round(r.width)} px wide`);
  }

  // cue: the mechanism, on every box that overflows sideways.
  const layers = (list) => {
    const out = []; let depth = 0; let cur = '';
    for (const ch of list) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
    }
    if (cur.trim()) out.push(cur.trim());
    return out;
  };
  const backgroundCue = (el) => {
    const s = st(el);
    const images = layers(s.backgroundImage);
    const att = s.backgroundAttachment.split(',').map((a) => a.trim());
    const grad = images.map((im, i) => ({ im, att: att[i % att.length] })).filter((l) => /gradient\(/.test(l.im));
    const covers = grad.some((l) => l.att === 'local');
    // Or shadows whose colours the box's own scroll position animates.
    const animated = s.animationName.split(',').some((n) => n.trim() === 'lg-cue')
      && /\bscroll\(self inline\)|\bscroll\(inline\)/.test(s.animationTimeline);
    return grad.some((l) => l.att === 'scroll') && (covers || animated) ? grad : null;
  };
  const overlayCue = (el) => ['::before', '::after'].every((pseudo) => {
    const p = getComputedStyle(el, pseudo);
    return p.content !== 'none' && p.content !== 'normal' && p.position === 'sticky'
      && /gradient\(/.test(p.backgroundImage) && p.animationTimeline && p.animationTimeline !== 'auto';
  });
  let overflowing = 0;
  for (const el of scrollers) {
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    overflowing++;
    if (!backgroundCue(el) && !overlayCue(el)) {
      problems.cue.push(`${describe(el)} is ${el.scrollWidth} px wide in a ${el.clientWidth} px box and shows no cue at its cut edge`);
    }
  }

  // cue colours, in every theme: covers the colour of the box, the box the
  // colour behind it.
  const { rgba, contrast, over, show } = window.lgColour;
  const probe = document.createElement('span');
  main.append(probe);
  const colour = (v) => { probe.style.color = v; return rgba(getComputedStyle(probe).color); };
  const same = (a, b) => a && b && a.every((v, i) => Math.abs(v - b[i]) <= (i === 3 ? 0.02 : 1.5));
  const behind = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const c = rgba(getComputedStyle(a).backgroundColor);
      if (c && c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const html = document.documentElement;
  const original = html.className;
  const seen = new Set();
  for (const theme of themes) {
    html.classList.remove(...themes);
    html.classList.add(theme);
    // The shadow at its strongest, on the page: text stays readable on it.
    const edge = over(colour('var(--lg-shadow)'), colour('var(--bg)'));
    for (const [what, v] of [['text', '--fg'], ['dimmed text', '--lg-dim'], ['gradient', '--lg-grad']]) {
      const r = contrast(colour(`var(${v})`), edge);
      if (r < minRatio) problems.cue.push(`${theme}: the scroll shadow (--lg-shadow) leaves ${what} (${v}) at contrast ${r.toFixed(2)}:1 (< ${minRatio})`);
    }
    for (const el of scrollers) {
      const grad = backgroundCue(el);
      const overlay = !grad && overlayCue(el);
      if (!grad && !overlay) continue;
      const own = rgba(getComputedStyle(el).backgroundColor);
      const under = behind(el);
      const box = own && own[3] > 0 ? own : under;
      const wrong = [];
      if (own && own[3] > 0 && !el.matches('pre > code') && !same(own, under)) {
        wrong.push(`paints ${show(own)} over ${show(under)}`);
      }
      for (const l of grad || []) {
        if (l.att !== 'local') continue;
        const cover = rgba(l.im);
        if (!same(cover, box)) wrong.push(`covers its cue with ${cover ? show(cover) : l.im.slice(0, 40)} on ${show(box)}`);
      }
      const key = `${theme} ${wrong.join()} ${describe(el).split(' "')[0]}`;
      if (wrong.length && !seen.has(key)) {
        seen.add(key);
        problems.cue.push(`${theme}: ${describe(el)} ${wrong.join(' and ')}`);
      }
    }
  }
  html.className = original;
  probe.remove();
  for (const d of closed) d.open = false;
  return { problems, scrollers: scrollers.length, overflowing };
}

// The boxes whose cue is looked at in pixels: every overflowing figure and
// table, the first overflowing box of each other kind, and the first box of
// each kind that fits (it must show no cue). Each is tagged data-lg-cue.
function inPageCueSample() {
  const main = document.querySelector('main');
  const kinds = [['figure', '.lg-figure'], ['table', '.table-wrapper'], ['code block', 'pre > code'],
    ['display formula', '.katex:has(> math[display="block"])'], ['inline formula', '.katex:not(:has(> math[display="block"]))']];
  const out = [];
  for (const [kind, sel] of kinds) {
    const all = [...main.querySelectorAll(sel)].filter((el) => el.getClientRects().length && !el.closest('details:not([open])'));
    const wide = all.filter((el) => el.scrollWidth > el.clientWidth + 1);
    const fits = all.find((el) => el.scrollWidth <= el.clientWidth + 1 && el.clientWidth > 40);
    const pick = kind === 'figure' || kind === 'table' ? wide : wide.slice(0, 1);
    for (const el of [...pick, ...(fits ? [fits] : [])]) {
      el.dataset.lgCue = String(out.length);
      const words = el.textContent.replace(/\s+/g, ' ').trim();
      out.push({ id: out.length, wide: wide.includes(el), what: `${kind} "${words.slice(0, 40)}${words.length > 40 ? '…' : ''}"` });
    }
  }
  return out;
}

// The pixels of a PNG (8 bits per channel, not interlaced, as Chromium
// writes them): { width, height, channels, data }.
function decodePng(buf) {
  const zlib = require('zlib');
  let pos = 8;
  let width = 0; let height = 0; let channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[12] !== 0) throw new Error('decodePng: only 8-bit, non-interlaced PNGs');
      channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[body[9]];
      if (!channels) throw new Error(`decodePng: colour type ${body[9]}`);
    }
    if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = data.subarray(y * stride, (y + 1) * stride);
    const up = y ? data.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = up[x];
      const c = x >= channels ? up[x - channels] : 0;
      let v = src[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = v & 255;
    }
  }
  return { width, height, channels, data };
}

// Per row of the left and right edge strips: how much two shots of the
// same box differ (mean over the strip's pixels and colour channels, 0-255).
function stripDiff(a, b, strip) {
  const [pa, pb] = [decodePng(a), decodePng(b)];
  const { width, height, channels } = pa;
  const rows = (x0) => {
    const out = [];
    for (let y = 0; y < height; y++) {
      let d = 0;
      for (let x = x0; x < x0 + strip; x++) {
        const i = (y * width + x) * channels;
        for (let k = 0; k < Math.min(3, channels); k++) d += Math.abs(pa.data[i + k] - pb.data[i + k]);
      }
      out.push(d / (strip * Math.min(3, channels)));
    }
    return out;
  };
  return { left: rows(0), right: rows(width - strip) };
}

async function setTheme(page, theme) {
  // The theme menu's own button: mdBook also swaps the code colours.
  await page.evaluate((t) => document.getElementById(`mdbook-theme-${t}`).click(), theme);
}

async function checkCuePixels(page, theme) {
  const problems = [];
  const sample = await page.evaluate(inPageCueSample);
  if (!sample.length) return { problems, checked: 0 };
  await setTheme(page, theme);
  // caret: 'initial' spares a restyle of the whole page per shot.
  const shoot = (clip) => page.screenshot({ clip, caret: 'initial' });
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // Taking the cue away from one box at a time restyles only that box.
  const off = await page.addStyleTag({
    content: '[data-lg-cue-off] { background-image: none !important; } [data-lg-cue-off]::before, [data-lg-cue-off]::after { visibility: hidden !important; }',
  });
  const cueOff = (id, v) => page.evaluate(([i, on]) => {
    document.querySelector(`[data-lg-cue="${i}"]`).toggleAttribute('data-lg-cue-off', on);
  }, [id, v]);
  try {
    for (const box of sample) {
      // In view, below the menu bar, at most 300 px of it.
      const clip = await page.evaluate((id) => {
        const el = document.querySelector(`[data-lg-cue="${id}"]`);
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        const top = Math.max(r.top, 60);
        const bottom = Math.min(r.bottom, top + 300, window.innerHeight);
        return { x: Math.max(0, r.left), y: top, width: Math.min(r.right, window.innerWidth) - Math.max(0, r.left), height: bottom - top };
      }, box.id);
      if (clip.width < 3 * CUE_STRIP_PX || clip.height < 4) continue;
      const shots = async (end) => {
        await page.evaluate(([id, e]) => {
          const el = document.querySelector(`[data-lg-cue="${id}"]`);
          el.scrollLeft = e ? el.scrollWidth : 0;
        }, [box.id, end]);
        await frame();
        const on = await shoot(clip);
        await cueOff(box.id, true);
        await frame();
        const bare = await shoot(clip);
        await cueOff(box.id, false);
        return stripDiff(on, bare, CUE_STRIP_PX);
      };
      const share = (rows) => rows.filter((d) => d >= CUE_ROW_DIFF).length / rows.length;
      const expect = (rows, want, edge, when) => {
        const s = share(rows);
        if (want && s < CUE_MIN_SHARE) {
          problems.push(`${theme}: ${box.what} shows ${s ? `its cue along only ${Math.round(100 * s)}% of` : 'no cue at'} its ${edge} edge ${when}`);
        } else if (!want && s > 0) {
          problems.push(`${theme}: ${box.what} shows a cue at its ${edge} edge ${when}`);
        }
      };
      const start = await shots(false);
      if (box.wide) {
        expect(start.right, true, 'right', 'where the content continues');
        expect(start.left, false, 'left', 'while its start is in view');
        const end = await shots(true);
        expect(end.left, true, 'left', 'when scrolled to its end');
        expect(end.right, false, 'right', 'when scrolled to its end');
        await page.evaluate((id) => { document.querySelector(`[data-lg-cue="${id}"]`).scrollLeft = 0; }, box.id);
      } else {
        // A box that fits: a cue seen once is looked at again after half a
        // second, so that a repaint still under way is not taken for one.
        let still = start;
        if (share(start.left) > 0 || share(start.right) > 0) {
          await page.waitForTimeout(500);
          still = await shots(false);
        }
        expect(still.left, false, 'left', 'though it fits');
        expect(still.right, false, 'right', 'though it fits');
      }
    }
  } finally {
    await off.evaluate((s) => s.remove());
    await setTheme(page, 'light');
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  return { problems, checked: sample.length };
}

// braces: every brace stretched along its base (\underbrace, \overbrace:
// an <mo stretchy="true"> ⏟ or ⏞ under or over its base) is drawn, in the
// pixels, from one end of its base to the other. (A hat, \widehat, may be
// narrower than its base, as in TeX, and is not checked.) The page is
// shot as it is and with the operator hidden; the columns that differ are
// the operator's ink, which must reach within BRACE_SLACK_EM of each end
// of the base that is in view, and not beyond BRACE_OVERSHOOT_EM past it.
// Chromium cuts such a brace at the edge of a raster tile when nothing
// widens its painted area (see theme/local-gradients.css).
const BRACE_SLACK_EM = 0.2;
const BRACE_OVERSHOOT_EM = 0.5;
const BRACE_DIFF = 60; // summed over the colour channels (0-765), per pixel

function inPageBraceSample() {
  const ops = [...document.querySelectorAll('main :is(munder, mover, munderover) > mo[stretchy="true"]:not(:first-child)')]
    .filter((mo) => /^[⏟⏞]$/.test(mo.textContent) && mo.getClientRects().length && !mo.closest('details:not([open])'));
  return ops.map((mo, i) => {
    mo.dataset.lgBrace = String(i);
    const m = mo.closest('math');
    const t = m.textContent.replace(/\u2061/g, '').replace(/\s+/g, ' ').trim();
    const s = mo.closest('section, [id]');
    return { id: i, what: `"${mo.textContent}" under or over "${mo.parentElement.firstElementChild.textContent.trim().slice(0, 30)}" in "${t.length > 60 ? t.slice(0, 57) + '...' : t}"${s && s.id ? ` near #${s.id}` : ''}` };
  });
}

async function checkBraces(page) {
  const problems = [];
  const sample = await page.evaluate(inPageBraceSample);
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  for (const op of sample) {
    // In view (scrolled inside its formula's box too), and where to look:
    // the base's columns and 1 em either side, as far as they are visible.
    const at = await page.evaluate((id) => {
      const mo = document.querySelector(`[data-lg-brace="${id}"]`);
      const base = mo.parentElement.firstElementChild;
      mo.scrollIntoView({ block: 'center', inline: 'center' });
      const em = parseFloat(getComputedStyle(mo).fontSize);
      const b = base.getBoundingClientRect(); const o = mo.getBoundingClientRect();
      let [left, right] = [0, window.innerWidth];
      for (let a = mo.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible') continue;
        const r = a.getBoundingClientRect();
        left = Math.max(left, r.left); right = Math.min(right, r.right);
      }
      return { em, base: [b.left, b.right], top: o.top - em / 2, bottom: o.bottom + em / 2, view: [left, right] };
    }, op.id);
    const x0 = Math.max(Math.floor(at.base[0] - at.em), Math.ceil(at.view[0]));
    const x1 = Math.min(Math.ceil(at.base[1] + at.em), Math.floor(at.view[1]));
    const y0 = Math.max(0, Math.floor(at.top));
    if (x1 - x0 < 4 || at.bottom - y0 < 4) continue;
    const clip = { x: x0, y: y0, width: x1 - x0, height: Math.ceil(at.bottom) - y0 };
    await frame();
    const on = decodePng(await page.screenshot({ clip, caret: 'initial' }));
    const hide = (v) => page.evaluate(([id, h]) => { document.querySelector(`[data-lg-brace="${id}"]`).style.visibility = h ? 'hidden' : ''; }, [op.id, v]);
    await hide(true);
    await frame();
    const off = decodePng(await page.screenshot({ clip, caret: 'initial' }));
    await hide(false);
    let lo = Infinity; let hi = -Infinity;
    for (let y = 0; y < on.height; y++) {
      for (let x = 0; x < on.width; x++) {
        const k = (y * on.width + x) * on.channels;
        let d = 0;
        for (let c = 0; c < Math.min(3, on.channels); c++) d += Math.abs(on.data[k + c] - off.data[k + c]);
        if (d > BRACE_DIFF) { lo = Math.min(lo, x0 + x); hi = Math.max(hi, x0 + x + 1); }
      }
    }
    const [bl, br] = at.base;
    const slack = BRACE_SLACK_EM * at.em; const over = BRACE_OVERSHOOT_EM * at.em;
    const px = (v) => `${Math.round(v)}`;
    if (lo === Infinity) {
      problems.push(`${op.what}: not drawn at all over its base (x = ${px(bl)} to ${px(br)})`);
      continue;
    }
    const wrong = [];
    if (bl >= x0 && lo > bl + slack) wrong.push(`starts ${px(lo - bl)} px after its base's left end`);
    if (br <= x1 && hi < br - slack) wrong.push(`ends ${px(br - hi)} px before its base's right end`);
    if (lo < bl - over) wrong.push(`starts ${px(bl - lo)} px before its base`);
    if (hi > br + over) wrong.push(`ends ${px(hi - br)} px past its base`);
    if (wrong.length) problems.push(`${op.what}: drawn from x = ${lo} to ${hi} for a base from ${px(bl)} to ${px(br)}: it ${wrong.join(' and ')}`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  return problems;
}

// brackets: the two brackets of a matrix (\begin{bmatrix}: an <mrow> of
// an <mo fence> [, an <mtable> and an <mo fence> ]) stand as far from its
// cells on the left as on the right, as TeX sets \left[ … \right]. Shot
// three times: as it is, with its cells hidden (the brackets alone, drawn
// by the font or by the stylesheet), and hidden whole; the columns that
// differ are the cells' ink and the brackets' ink. The gap between each
// bracket's ink and the cells' box (the <mtd>s) may differ between the
// sides by BRACKET_SKEW_EM at most. Chromium places a bracket built from
// pieces off centre (see theme/local-gradients.css).
const BRACKET_SKEW_EM = 0.12;

function inPageBracketSample() {
  const fence = (el, c) => el && el.localName === 'mo' && el.getAttribute('fence') === 'true' && el.textContent === c;
  const rows = [...document.querySelectorAll('main mrow')]
    .filter((r) => fence(r.firstElementChild, '[') && fence(r.lastElementChild, ']') && r.querySelector(':scope > mtable')
      && r.getClientRects().length && !r.closest('details:not([open])'));
  return rows.map((r, i) => {
    r.dataset.lgBracket = String(i);
    const m = r.closest('math');
    const t = m.textContent.replace(/\u2061/g, '').replace(/\s+/g, ' ').trim();
    const cells = r.querySelector(':scope > mtable').textContent.replace(/\u2061/g, '').replace(/\s+/g, ' ').trim();
    const s = r.closest('section, [id]');
    return { id: i, what: `the brackets of the matrix "${cells.slice(0, 30)}" in "${t.length > 60 ? t.slice(0, 57) + '...' : t}"${s && s.id ? ` near #${s.id}` : ''}` };
  });
}

// The columns of screenshot `a` that differ from screenshot `b` (the same
// place with something hidden): where that something has ink.
function inkColumns(a, b) {
  const cols = new Array(a.width).fill(false);
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const k = (y * a.width + x) * a.channels;
      let d = 0;
      for (let c = 0; c < Math.min(3, a.channels); c++) d += Math.abs(a.data[k + c] - b.data[k + c]);
      if (d > BRACE_DIFF) cols[x] = true;
    }
  }
  return cols;
}

// A wide accent (\widehat) spans its base, as TeX's does: the hat's ink,
// in the pixels (the browser gives a stretched combining accent no box),
// is at least 3/4 of its base's width.
async function checkHats(page) {
  const problems = [];
  const hats = await page.evaluate(() => [...document.querySelectorAll('main mover[accent="true"] > mo[stretchy="true"]')].map((mo, i) => {
    mo.parentElement.dataset.lgHat = i;
    return { id: i, base: mo.parentElement.firstElementChild.textContent };
  }));
  for (const hat of hats) {
    const at = await page.evaluate((id) => {
      const o = document.querySelector(`[data-lg-hat="${id}"]`);
      o.scrollIntoView({ block: 'center' });
      const r = o.getBoundingClientRect(); const b = o.firstElementChild.getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height, base: b.width, shown: r.width > 0 };
    }, hat.id);
    if (!at.shown) continue;
    const clip = { x: Math.max(0, Math.floor(at.x) - 8), y: Math.max(0, Math.floor(at.y) - 8), width: Math.ceil(at.w) + 16, height: Math.ceil(at.h) + 16 };
    const shot = async (hide) => {
      await page.evaluate(([id, h]) => {
        const o = document.querySelector(`[data-lg-hat="${id}"]`);
        o.firstElementChild.style.visibility = h ? 'hidden' : '';
        o.lastElementChild.style.visibility = h === 'all' ? 'hidden' : '';
      }, [hat.id, hide]);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      return decodePng(await page.screenshot({ clip, caret: 'initial' }));
    };
    const only = await shot('base'); const none = await shot('all'); await shot(false);
    const ink = inkColumns(only, none);
    const w = ink.includes(true) ? ink.lastIndexOf(true) + 1 - ink.indexOf(true) : 0;
    if (w < 0.75 * at.base) problems.push(`the hat over "${hat.base}" is ${w} px wide, its base ${at.base.toFixed(1)} px`);
  }
  return problems;
}

async function checkBrackets(page) {
  const problems = [];
  const sample = await page.evaluate(inPageBracketSample);
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const shoot = async (id, hide, clip) => {
    await page.evaluate(([i, h]) => {
      const r = document.querySelector(`[data-lg-bracket="${i}"]`);
      r.style.visibility = h === 'all' ? 'hidden' : '';
      for (const tr of r.querySelectorAll(':scope > mtable > mtr')) tr.style.visibility = h ? 'hidden' : '';
    }, [id, hide]);
    await frame();
    return decodePng(await page.screenshot({ clip, caret: 'initial' }));
  };
  for (const op of sample) {
    const at = await page.evaluate((id) => {
      const r = document.querySelector(`[data-lg-bracket="${id}"]`);
      r.scrollIntoView({ block: 'center', inline: 'center' });
      const em = parseFloat(getComputedStyle(r).fontSize);
      const o = r.getBoundingClientRect();
      let [left, right] = [0, window.innerWidth];
      for (let a = r.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible') continue;
        const b = a.getBoundingClientRect();
        left = Math.max(left, b.left); right = Math.min(right, b.right);
      }
      const cells = [...r.querySelectorAll(':scope > mtable > mtr > mtd')].map((c) => c.getBoundingClientRect());
      return {
        em, row: [o.left, o.right, o.top, o.bottom], view: [left, right],
        cells: [Math.min(...cells.map((c) => c.left)), Math.max(...cells.map((c) => c.right))],
      };
    }, op.id);
    // Both brackets in view, with a few pixels to spare.
    const x0 = Math.floor(at.row[0]) - 4; const x1 = Math.ceil(at.row[1]) + 4;
    if (x0 < at.view[0] || x1 > at.view[1]) continue;
    const clip = { x: x0, y: Math.max(0, Math.floor(at.row[2]) - 4), width: x1 - x0, height: Math.ceil(at.row[3] - at.row[2]) + 8 };
    const whole = await shoot(op.id, false, clip);
    const brackets = await shoot(op.id, 'cells', clip);
    const none = await shoot(op.id, 'all', clip);
    await shoot(op.id, false, clip);
    const ink = inkColumns(brackets, none);
    const [cl, cr] = at.cells.map((v) => v - x0);
    // The left bracket's ink: the columns left of the cells' middle.
    const mid = (cl + cr) / 2;
    let leftEnd = -1; let rightStart = -1;
    for (let x = 0; x < ink.length; x++) if (ink[x] && x < mid) leftEnd = x + 1;
    for (let x = ink.length - 1; x >= 0; x--) if (ink[x] && x >= mid) rightStart = x;
    const content = inkColumns(whole, brackets);
    if (leftEnd < 0 || rightStart < 0 || !content.some(Boolean)) {
      problems.push(`${op.what}: ${leftEnd < 0 ? 'no left bracket' : rightStart < 0 ? 'no right bracket' : 'no cells'} drawn`);
      continue;
    }
    const gl = cl - leftEnd; const gr = rightStart - cr;
    if (Math.abs(gl - gr) > BRACKET_SKEW_EM * at.em) {
      problems.push(`${op.what}: "[" stands ${gl.toFixed(1)} px from the cells, "]" ${gr.toFixed(1)} px (${((gl - gr) / at.em).toFixed(2)} em apart, > ${BRACKET_SKEW_EM} em)`);
    }
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  return problems;
}

// Both checks on one open page; the pixels in opts.cueTheme, if given.
// Inline code breaks only after "/", "::" or "." (or at a space in a span
// longer than 40 characters), never at a hyphen, inside a name or inside a
// short span: chapters-code/drop-tex/src/code.rs and the measured tables'
// generators mark where it may break, theme/local-gradients.css keeps the
// rest whole. Each line break inside a code span is found from the
// positions of its characters.
function inPageCodeBreaks() {
  const problems = [];
  const range = document.createRange();
  for (const code of document.querySelectorAll('main :not(pre) > code')) {
    if (code.getClientRects().length < 2) continue;
    const text = code.textContent;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let shown = '';
    let top = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        if (r.width > 0 && top !== null && r.top > top + 2) {
          const before = shown.replace(/ $/, '');
          const atSpace = before.length < shown.length;
          const ok = atSpace ? text.length > 40 : /(\/|::|\.)$/.test(before);
          if (!ok) problems.push(`inline code "${text}" breaks after "${before.slice(-12)}" (only after /, :: or ., or at a space in a span over 40 characters)`);
        }
        if (r.width > 0) top = r.top;
        shown += node.data[i];
      }
    }
  }
  return problems;
}

async function checkScrollBoxes(page, file, width, opts, problems, info) {
  const at = `${file} @ ${width}px: `;
  const got = await page.evaluate(inPageScrollBoxes, [opts.cueThemes ? THEMES : [], MIN_CONTRAST]);
  for (const [check, list] of Object.entries(got.problems)) for (const p of list) problems.push([check, at + p]);
  info.scrollers = got.overflowing;
  if (opts.cueTheme) {
    const px = await checkCuePixels(page, opts.cueTheme);
    for (const p of px.problems) problems.push(['cue', at + p]);
    info.cueShots = `${px.checked} in ${opts.cueTheme}`;
  }
  if (opts.navyScreenshot) {
    await setTheme(page, 'navy');
    await page.screenshot({ path: opts.navyScreenshot, fullPage: true });
    await setTheme(page, 'light');
  }
}

async function openPage(browser, width, origin) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log = { console: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.console.push(m.text()); });
  page.on('pageerror', (e) => log.console.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(origin)) return; // already reported below
    // Cancelled by the next navigation (the favicon, say); a missing file
    // answers 404, which the response handler reports.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    log.requests.push(`failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => { if (r.status() >= 400) log.requests.push(`HTTP ${r.status()}: ${r.url()}`); });
  // Nothing may leave the local server: such requests are stopped here,
  // before they reach the network, and reported.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    log.requests.push(`request to another host: ${url}`);
    return route.abort('blockedbyclient');
  });
  // The colour helpers the in-page checks share (inPageColourHelpers).
  await context.addInitScript(inPageColourHelpers);
  // The print page calls window.print() on load; a test has no printer.
  await context.addInitScript(() => { window.print = () => {}; });
  return { context, page, log };
}

async function checkPage(browser, base, origin, file, width, opts) {
  const { context, page, log } = await openPage(browser, width, origin);
  const problems = [];
  let info = {};
  try {
    await page.goto(base + file, { waitUntil: 'load' });
    if (opts.font) {
      // Every formula in this one math font (a run per font of MATH_FONTS).
      const has = await page.evaluate(`(${inPageFonts.toString()})(${JSON.stringify([opts.font])})`);
      if (!has[opts.font]) problems.push(['fonts', `the math font "${opts.font}" is not installed: its run checks nothing`]);
      await page.addStyleTag({ content: `math { font-family: "${opts.font}", math !important; }` });
    }
    await page.evaluate(() => document.fonts.ready);
    // Let the page's resize observers (theme/root-width.js) see the font.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const got = await page.evaluate(
      `(${inPageChecks.toString().replace(/MIN_PX/g, MIN_FIGURE_TEXT_PX).replace(/MIN_GAP/g, JSON.stringify(MIN_NODE_GAP))})()`,
    );
    info = got;
    for (const [check, list] of Object.entries(got.problems)) for (const p of list) problems.push([check, p]);
    for (const p of await page.evaluate(`(${inPageTypeset.toString()})()`)) problems.push(['typeset', p]);
    // Braces in the main run only: the print page repeats the chapters'
    // braces, and Noto Sans Math (the other-fonts run) has no horizontal
    // assembly for ⏟, so there a brace stays one glyph wide over any base:
    // a limit of that font that no stylesheet can lift.
    if (file !== 'print.html' && !opts.font) for (const p of await checkBraces(page)) problems.push(['typeset', p]);
    // Brackets in every font's run: each font builds its brackets its own
    // way (Noto Sans Math does not stretch them at all).
    if (file !== 'print.html') for (const p of await checkBrackets(page)) problems.push(['typeset', p]);
    // Wide hats, too, in the main run only: Noto Sans Math has no wider
    // forms of the circumflex, so there a hat stays one glyph wide.
    if (file !== 'print.html' && !opts.font) for (const p of await checkHats(page)) problems.push(['typeset', p]);
    for (const p of await page.evaluate(inPageCodeBreaks)) problems.push(['code', p]);
    info.mathFont = opts.font || await usedMathFont(page);
    if (opts.axTree && got.formulas > 0) {
      // What a screen reader gets: count the nodes with role "math".
      const cdp = await context.newCDPSession(page);
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      // Chromium calls the role of <math> "MathMLMath"; ARIA calls it "math".
      const exposed = nodes.filter((n) => !n.ignored && n.role && ['math', 'MathMLMath'].includes(n.role.value)
        && (n.childIds || []).length > 0).length;
      if (exposed < got.reachable) {
        problems.push(['math', `only ${exposed} of ${got.reachable} formulas reach the accessibility tree as math`]);
      }
      info.exposed = exposed;
    }
    if (opts.contrast && got.figures > 0) {
      const c = await page.evaluate(`(${inPageContrast.toString().replace(/MIN_RATIO/g, MIN_CONTRAST)})(${JSON.stringify(THEMES)})`);
      for (const f of c.failures) problems.push(['contrast', f]);
      info.contrastChecked = c.checked;
    }
    if (opts.themes && got.figures > 0) {
      const t = await page.evaluate(inPageThemes, [THEMES, MIN_CONTRAST, LARGE_AREA]);
      for (const p of t.problems) problems.push(['themes', p]);
      info.themeColours = t.checked;
    }
    if (opts.screenshot) {
      await page.screenshot({ path: opts.screenshot, fullPage: opts.fullPage !== false });
    }
    await checkScrollBoxes(page, file, width, opts, problems, info);
    if (opts.print) {
      const p = await checkPrint(page, opts.print);
      for (const x of p.problems) problems.push(['print', x]);
      info.print = p.width ? `${p.boxes} boxes fit ${p.width} px (A4), PDF: ${p.checkedPdf}` : undefined;
    }
  } finally {
    for (const c of log.console) problems.push(['console', c]);
    for (const r of log.requests) problems.push(['requests', r]);
    await context.close();
  }
  return { problems, info };
}

// Search, as a reader uses it: the first hit for each query must be a
// section whose title contains the query.
const SEARCHES = ['Jacobian', 'outer product'];
async function checkSearch(browser, base, origin) {
  const { context, page, log } = await openPage(browser, 1280, origin);
  const problems = [];
  const found = [];
  try {
    for (const q of SEARCHES) {
      await page.goto(`${base}index.html?search=${encodeURIComponent(q)}`, { waitUntil: 'load' });
      const first = page.locator('#mdbook-searchresults li a').first();
      await first.waitFor({ timeout: 5000 }).catch(() => {});
      if (!(await first.count())) { problems.push(['search', `no results for "${q}"`]); continue; }
      const title = (await first.innerText()).split('\n')[0];
      const href = await first.getAttribute('href');
      found.push(`"${q}" -> ${href.replace(/\?.*#/, '#')} (${title})`);
      if (!title.toLowerCase().includes(q.toLowerCase())) {
        problems.push(['search', `first hit for "${q}" is "${title}" (${href})`]);
      }
    }
  } finally {
    for (const c of log.console) problems.push(['console', c]);
    for (const r of log.requests) problems.push(['requests', r]);
    await context.close();
  }
  return { problems, found };
}

async function launch() {
  // Playwright starts Chromium with a fresh, temporary profile each time.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return browser;
}

// The print page holds every chapter: all their formulas and figures.
// Adds a problem to the print page's result when its totals differ from
// the sums over the chapters (index.html is the introduction again).
function checkPrintTotals(results, pages, width) {
  const sum = (k) => pages.filter((p) => p !== 'print.html' && p !== 'index.html')
    .reduce((n, p) => n + (results.get(`${p}@${width}`).info[k] || 0), 0);
  const print = results.get(`print.html@${width}`);
  for (const k of ['formulas', 'figures']) {
    if (print.info[k] !== sum(k)) print.problems.push(['print', `print.html has ${print.info[k]} ${k}, the chapters ${sum(k)}`]);
  }
}

// The math and typeset checks once more on every chapter, at both widths,
// in each font of MATH_FONTS other than the one the CSS chose for the main
// run (the print page repeats the chapters and is skipped). Returns one
// result per page, width and font.
async function checkOtherFonts(browser, base, origin, pages, results) {
  const used = new Set([...results.values()].map((r) => r.info.mathFont));
  const jobs = [];
  for (const font of MATH_FONTS.filter((f) => !used.has(f))) {
    for (const file of pages.filter((p) => p !== 'print.html')) for (const width of WIDTHS) jobs.push({ font, file, width });
  }
  const runs = [];
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const t = Date.now();
      const r = await checkPage(browser, base, origin, job.file, job.width, { font: job.font });
      runs.push({ ...job, problems: r.problems, seconds: (Date.now() - t) / 1000 });
    }
  };
  await Promise.all([worker(), worker()]);
  const order = (r) => `${MATH_FONTS.indexOf(r.font)} ${String(pages.indexOf(r.file)).padStart(3)} ${WIDTHS.indexOf(r.width)}`;
  return runs.sort((a, b) => order(a).localeCompare(order(b)));
}

// The scroll-box checks' options for one job of testBook: the theme
// colours at phone width, the cue's pixels in one theme per page and width
// (each theme in turn), and a navy screenshot at phone width.
function scrollBoxOptions(job, pages, chapter, shot) {
  if (!chapter) return {};
  const phone = job.width === Math.min(...WIDTHS);
  return {
    cueThemes: phone,
    cueTheme: THEMES[(pages.indexOf(job.file) + 2 * WIDTHS.indexOf(job.width)) % THEMES.length],
    navyScreenshot: phone ? shot.replace(/\.png$/, '-navy.png') : undefined,
  };
}

async function testBook(book, out) {
  const pages = [...chapters(book), 'print.html'];
  const server = await serve([book]);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const base = `${origin}/0/`;
  const browser = await launch();
  fs.mkdirSync(out, { recursive: true });
  let failed = 0;
  try {
    // Two pages at a time: one per core.
    const jobs = [];
    for (const file of pages) for (const width of WIDTHS) jobs.push({ file, width });
    const results = new Map();
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const shot = path.join(out, `${job.file.replace(/\.html$/, '').replace(/\//g, '_')}-${job.width}.png`);
        // The print page repeats every chapter: the per-chapter checks of
        // the accessibility tree and of contrast are not run again there,
        // and its screenshot is the first screenful.
        const chapter = job.file !== 'print.html';
        const t = Date.now();
        const r = await checkPage(browser, base, origin, job.file, job.width, {
          axTree: chapter && job.width === WIDTHS[0],
          contrast: chapter && job.width === WIDTHS[0],
          themes: chapter && job.width === WIDTHS[0],
          print: !chapter && job.width === WIDTHS[0] ? path.join(out, '..', 'print-A4.pdf') : undefined,
          screenshot: shot,
          fullPage: chapter,
          ...scrollBoxOptions(job, pages, chapter, shot),
        });
        r.info.seconds = (Date.now() - t) / 1000;
        results.set(`${job.file}@${job.width}`, r);
      }
    };
    await Promise.all([worker(), worker()]);
    const fontRuns = await checkOtherFonts(browser, base, origin, pages, results);
    const search = await checkSearch(browser, base, origin);
    console.log(`${search.problems.length ? 'FAIL' : 'ok  '} search: ${search.found.join('; ')}`);
    for (const [check, p] of search.problems) console.log(`       [${check}] ${p}`);
    failed += search.problems.length ? 1 : 0;
    for (const width of WIDTHS) checkPrintTotals(results, pages, width);
    for (const file of pages) {
      for (const width of WIDTHS) {
        const { problems, info } = results.get(`${file}@${width}`);
        const extra = info.exposed !== undefined ? `, ${info.exposed} exposed as math` : '';
        const contrast = (info.contrastChecked ? `, ${info.contrastChecked} figure texts contrast-checked` : '')
          + (info.themeColours ? `, ${info.themeColours} figure colours theme-checked` : '') + (info.print ? `, print: ${info.print}` : '');
        const scroll = info.scrollers !== undefined ? `, ${info.scrollers} boxes scroll sideways${info.cueShots ? ` (cues of ${info.cueShots} looked at)` : ''}` : '';
        console.log(`${problems.length ? 'FAIL' : 'ok  '} ${file} @ ${width}px: ${info.formulas ?? '?'} formulas${extra}, ${info.figures ?? '?'} figures${contrast}${scroll}, math in ${info.mathFont} (${info.seconds} s)`);
        for (const [check, p] of problems) console.log(`       [${check}] ${p}`);
        failed += problems.length ? 1 : 0;
      }
    }
    for (const { font, file, width, problems, seconds } of fontRuns) {
      console.log(`${problems.length ? 'FAIL' : 'ok  '} ${file} @ ${width}px, math in ${font}: math and typeset checks (${seconds} s)`);
      for (const [check, p] of problems) console.log(`       [${check}] ${p}`);
      failed += problems.length ? 1 : 0;
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`browser-test: ${pages.length} pages x ${WIDTHS.length} widths, screenshots in ${out}`);
  return failed;
}

// The typeset checks' breaks: each undoes one of drop-tex's repairs on a
// page that has it (`page` picks the first such chapter), as KaTeX wrote
// the formulas before the repair.
const BROKEN_TYPESET = [
  { check: 'typeset', expect: /prime raised/, width: 1280, what: 'primes left as KaTeX writes them (superscripts)',
    page: (h) => h.includes('<mo lspace="0em" rspace="0em">″</mo>'),
    edit: (h) => h.replace(/<mrow>(<mi>[^<]*<\/mi>)<mo lspace="0em" rspace="0em">([′″‴])<\/mo><\/mrow>/g,
      '<msup>$1<mo mathvariant="normal" lspace="0em" rspace="0em">$2</mo></msup>') },
  { check: 'typeset', expect: /superscript "2" raised .* over its "‖"/, width: 1280, what: 'the script of a closing bar raised over its top',
    page: (h) => /<mpadded height="0"><m[oi][^>]*>‖<\/m[oi]><\/mpadded>/.test(h),
    edit: (h) => h.replace(/<mpadded height="0">(<m[oi][^>]*>[^<]*<\/m[oi]>)<\/mpadded>/g, '$1') },
  { check: 'typeset', expect: /operator name "ln" has no space before/, width: 1280, what: 'operator names without their thin spaces',
    page: (h) => h.includes('<mi>ln</mi><mo>\u2061</mo><mspace width="0.1667em" />'),
    edit: (h) => h.replace(/<mspace width="0\.1667em" \/>/g, '') },
  { check: 'typeset', expect: /aligned relations not in one column/, width: 1280, what: 'aligned blocks with centred cells',
    page: (h) => h.includes('columnalign="right left"'),
    edit: (h) => h.replace(/<mtd style="[^"]*">/g, '<mtd>') },
  // Punctuation: drop-tex's no-break spans unwrapped, and every paragraph
  // as narrow as its widest word, so that each place a line may break
  // does break; with the spans in place, no comma starts a line even then.
  { check: 'typeset', expect: /"[,.]" starts a line after the formula/, width: 1280, what: 'punctuation left free to break from its formula',
    edit: (h) => h.replace(/<span class="lg-nobreak">/g, '<span>')
      .replace('</head>', '<style>.content main p { width: min-content; }</style></head>') },
  { check: 'typeset', expect: /sign "−" after "[=(,]" spaced as a subtraction/, width: 1280, what: 'leading minus signs spaced as subtractions',
    page: (h) => h.includes('<mo form="prefix">−</mo>'),
    edit: (h) => h.replace(/<mo form="prefix">/g, '<mo>') },
  { check: 'typeset', expect: /brace label .* 70% of its formula/, width: 1280, what: 'underbrace labels at script size',
    page: (h) => h.includes('mathsize="0.8em"'),
    edit: (h) => h.replace(/ mathsize="0\.8em"/g, '') },
  { check: 'typeset', expect: /"⏟" under or over .*: drawn from x = \d+ to \d+ for a base from \d+ to \d+: it (starts|ends) \d+ px (after|before) its base's (left|right) end/, width: 1280,
    what: 'stretched braces painted only as far as their unstretched box (the theme\'s repair taken away)',
    page: (h) => /<munder><munder><mrow><mo stretchy="false">[([]<\/mo>/.test(h),
    edit: (h) => h.replace('</head>', '<style>main mo[stretchy="true"] { box-shadow: none !important; }</style></head>') },
  { check: 'typeset', expect: /two bracketed groups touch/, width: 1280, what: 'the two matrices of a product side by side',
    page: (h) => /<\/mo><\/mrow><mspace width="0\.1667em" \/><mrow[^>]*><mo fence="true"/.test(h),
    edit: (h) => h.replace(/(<\/mo><\/mrow>)<mspace width="0\.1667em" \/>(<mrow[^>]*><mo fence="true")/g, '$1$2') },
  { check: 'typeset', expect: /subscripts at different depths: \S+ drops [\d.]+ px, \S+ [\d.]+ px/, width: 1280, what: 'subscripts on bases that keep their depth',
    // A page with y_… and then x_… in one formula.
    page: (h) => /<mpadded depth="0"><mi>y<\/mi>(?:(?!<\/math>)[^])*<mpadded depth="0"><mi>x<\/mi>/.test(h),
    edit: (h) => h.replace(/<mpadded depth="0">((?:(?!<\/mpadded>)[^])*)<\/mpadded>/g, '$1') },
  { check: 'typeset', expect: /"⊤" set [\d.]+ px after the start of its superscript/, width: 1280, what: 'a negative thin space left as KaTeX writes it (a positive one)',
    page: (h) => /<mspace style="margin-left: -0\.1667em" ?\/><mi mathvariant="normal">⊤/.test(h),
    edit: (h) => h.replace(/<mspace style="margin-left: -0\.1667em" ?\/>/g, '<mtext>\u2009\u2063</mtext>') },
  { check: 'typeset', expect: /"⊤" pulled -?[\d.]+ px towards .* by its negative space/, width: 1280, what: 'a negative thin space drawn as none (a negative width)',
    page: (h) => /<mspace style="margin-left: -0\.1667em" ?\/><mi mathvariant="normal">⊤/.test(h),
    edit: (h) => h.replace(/<mspace style="margin-left: -0\.1667em" ?\/>/g, '<mspace width="-0.1667em" />') },
  { check: 'typeset', expect: /italic "[A-Z]" runs [\d.]+ px past its box into "[=+−)]" after 0\.0 px of italic correction/, width: 1280, what: 'italic capitals without their italic correction',
    page: (h) => h.includes('<mspace width="0.2222em"'),
    edit: (h) => h.replace(/<mspace width="0\.(0077|0278|0502|0576|0715|0785|0813|0962|109|1389|2222)em" ?\/>/g, '') },
  { check: 'typeset', expect: /"…" (after|before) a comma [\d.]+ px away, not a thin space/, width: 1280, what: 'an ellipsis spaced as an operator',
    page: (h) => /<mo separator="true">,<\/mo><mo lspace="0em" rspace="0em">…<\/mo>/.test(h),
    edit: (h) => h.replace(/<mo lspace="0em" rspace="0em">([…⋯])<\/mo>(<mspace width="0\.1667em" ?\/>)?/g, '<mo>$1</mo>') },
  { check: 'typeset', expect: /"=" spaced [\d.]+ px in a script, as on the line/, width: 1280, what: 'relations in a limit spaced as on the line',
    page: (h) => h.includes('<mo lspace="0em" rspace="0em">=</mo>'),
    edit: (h) => h.replace(/<mo( [a-z]+="[^"]*")* lspace="0em" rspace="0em">([=+−])<\/mo>/g, '<mo$1>$2</mo>') },
  { check: 'typeset', expect: /"f" under a root sign reaches [\d.]+ px from the top of the sign/, width: 1280, what: 'a radicand with no room under the bar',
    page: (h) => h.includes('<msqrt><mrow style="padding-top: 0.1em">'),
    edit: (h) => h.replace(/<msqrt><mrow style="padding-top: 0\.1em">/g, '<msqrt><mrow>') },
  { check: 'typeset', expect: /the hat over "\S+" is [\d.]+ px wide, its base [\d.]+ px/, width: 1280, what: 'a wide hat written as KaTeX writes it (^, which no font widens)',
    page: (h) => h.includes('<mo stretchy="true">\u0302</mo>'),
    edit: (h) => h.replace(/<mo stretchy="true">\u0302<\/mo>/g, '<mo stretchy="true">^</mo>') },
  { check: 'typeset', expect: /"∂\S*\/∂\S*" stacked in running text/, width: 1280, what: 'derivatives in running text left stacked',
    page: (h) => /<mrow class="lg-slashed"><mrow><mi mathvariant="normal">∂<\/mi>(?:(?!<\/?mrow>)[^])*<\/mrow><mi mathvariant="normal">\/<\/mi>/.test(h),
    edit: (h) => h.replace(/<mrow class="lg-slashed">(<mrow><mi mathvariant="normal">∂<\/mi>(?:(?!<\/?mrow>)[^])*<\/mrow>)<mi mathvariant="normal">\/<\/mi>(<mrow><mi mathvariant="normal">∂<\/mi>(?:(?!<\/?mrow>)[^])*<\/mrow>)<\/mrow>/g, '<mfrac>$1$2</mfrac>') },
  { check: 'typeset', expect: /superscript ".*" of "[A-Z]" starts -?0\.0\d+ em right of its subscript/, width: 1280, what: 'superscripts of capitals whose base lost its italic correction (the space drop-tex gives back taken away)',
    page: (h) => /<msubsup><mpadded depth="0"><mi>[A-Z]<\/mi><\/mpadded>.*?<mrow><mspace width="[\d.]+em" ?\/>/.test(h),
    edit: (h) => h.replace(/(<msubsup><mpadded depth="0"><mi>[A-Z]<\/mi><\/mpadded>(?:(?!<\/msubsup>).)*?<mrow>)<mspace width="[\d.]+em" ?\/>/g, '$1') },
  { check: 'typeset', expect: /the accent ".*" over "X" is centred -?0\.0\d+ em right of the letter's middle/, width: 1280, what: 'accents centred over the box of an italic letter, as the browser sets them',
    page: (h) => h.includes('<mover accent="true"><mi>X</mi><mo style="position: relative'),
    edit: (h) => h.replace(/(<mover accent="true"><mi>[A-Za-z]<\/mi><mo) style="position: relative; left: [\d.-]+em"/g, '$1') },
  { check: 'typeset', expect: /the formula .* in the heading ".*" has weight 400, its words 700/, width: 1280, what: 'formulas in headings at the weight of running text',
    page: (h) => /<h[1-6][^>]*>.*<math/.test(h),
    edit: (h) => h.replace('</head>', '<style>main :is(h1, h2, h3, h4, h5, h6) math { font-weight: normal !important; }</style></head>') },
  { check: 'typeset', expect: /a fraction and "[^"]*" -?[\d.]+ px apart, not TeX's thin space/, width: 1280, what: 'derivatives written with a slash, set against their neighbours',
    page: (h) => /<mspace width="0\.1667em" ?\/><mrow class="lg-slashed">/.test(h),
    edit: (h) => h.replace(/<mspace width="0\.1667em" ?\/>(<mrow class="lg-slashed">)/g, '$1') },
  { check: 'typeset', expect: /the fraction ".*" leaves [\d.]+ px beside its bar, not TeX's 0\.12 em/, width: 1280, what: 'fractions with the browser\'s 1 px beside their bars',
    page: (h) => h.includes('<mfrac>'),
    edit: (h) => h.replace('</head>', '<style>math mfrac { padding-inline: 1px !important; }</style></head>') },
  { check: 'typeset', expect: /"\S+" takes 0\.\d+ em past the end of its bar/, width: 1280, what: 'roots left as wide as the browser lays them out (the page without theme/root-width.js)',
    page: (h) => /<script src="[^"]*root-width[^"]*\.js"><\/script>/.test(h) && h.includes('<msqrt>'),
    edit: (h) => h.replace(/<script src="[^"]*root-width[^"]*\.js"><\/script>/g, '') },
  { check: 'typeset', expect: /the brackets of the matrix .*: "\[" stands -?[\d.]+ px from the cells, "\]" [\d.]+ px/, width: 1280, what: 'matrix brackets stretched by the browser (drop-tex\'s class taken away)',
    page: (h) => h.includes('<mrow class="lg-matrix">'),
    edit: (h) => h.replace(/<mrow class="lg-matrix">/g, '<mrow>').replace(/<mo fence="true" stretchy="false">([[\]])<\/mo>/g, '<mo fence="true">$1</mo>') },
  { check: 'typeset', expect: /"∑" 0\.\d+ em (before|after) "[^"]*" \((Rel|Bin|Open|Close)\), TeX puts 0(\.\d+)? em/, width: 1280, what: 'large operators with the dictionary\'s thin space on both sides',
    page: (h) => h.includes('<mo lspace="0em" rspace="0.1667em">∑</mo>'),
    edit: (h) => h.replace(/<mo lspace="[^"]*" rspace="[^"]*">([∑∏∐∫∮⋃⋂])<\/mo>/g, '<mo>$1</mo>') },
  { check: 'typeset', expect: /a fraction and "[^"]*" 0(\.\d+)? px apart, not TeX's thin space/, width: 1280, what: 'fractions side by side with no space between them',
    page: (h) => /<\/mfrac><mspace width="0\.1667em" ?\/><mfrac/.test(h),
    edit: (h) => h.replace(/(<\/mfrac>(?:<\/mstyle>)?)<mspace width="0\.1667em" ?\/>/g, '$1') },
  { check: 'typeset', expect: /"[(]" drawn in a box [\d.]+ px wider than its character/, width: 1280, what: 'a \\big bracket stretched by the browser (air inside)',
    page: (h) => h.includes('<mo fence="false" stretchy="false" mathsize="1.2em">('),
    edit: (h) => h.replace(/<mo fence="false" stretchy="false" mathsize="1\.2em">/g, '<mo fence="false" stretchy="true" minsize="1.2em" maxsize="1.2em">') },
  { check: 'fonts', expect: /"No Such Math" is not installed/, width: 1280, what: 'a math font that is not installed',
    font: 'No Such Math', edit: (h) => h.replace('</main>', '<!-- in No Such Math --></main>') },
];

// Each broken variant edits one page of a copy of the book and must be
// caught by the check it names, at the width given.
const BROKEN_ALL = [
  { check: 'console', expect: /deliberate/, width: 1280, what: 'a script that logs an error',
    edit: (h) => h.replace('</main>', '<script>console.error("deliberate")</script></main>') },
  { check: 'requests', expect: /HTTP 404/, width: 1280, what: 'a missing image',
    edit: (h) => h.replace('</main>', '<img src="no-such-image.png" alt="x"></main>') },
  { check: 'requests', expect: /another host/, width: 1280, what: 'a stylesheet from another host',
    edit: (h) => h.replace('</head>', '<link rel="stylesheet" href="https://cdn.example.invalid/katex.min.css"></head>') },
  { check: 'math', expect: /raw TeX/, width: 1280, what: 'a formula left as raw TeX',
    edit: (h) => h.replace('</main>', '<p>\\[ \\frac{a}{b} \\]</p></main>') },
  { check: 'math', expect: /broken apart/, width: 1280, what: 'a formula broken apart by Markdown emphasis',
    edit: (h) => h.replace('</math>', '</math><em>x</em>') },
  { check: 'math', expect: /hidden from assistive/, width: 1280, what: 'math hidden from screen readers',
    edit: (h) => h.replace(/<math/g, '<math aria-hidden="true"') },
  { check: 'math', expect: /reach the accessibility tree/, width: 1280, what: 'math that screen readers skip (hidden with CSS)',
    edit: (h) => h.replace('</head>', '<style>math { visibility: hidden; }</style></head>') },
  { check: 'math', expect: /without MathML/, width: 1280, what: 'formulas drawn with no MathML',
    edit: (h) => h.replace(/<math[\s\S]*?<\/math>/g, '') },
  { check: 'math', expect: /drawn as a plain letter/, width: 1280, what: 'ℝ left as KaTeX writes it',
    page: (h) => h.includes('>ℝ</mi>'),
    edit: (h) => h.replace(/<mi mathvariant="normal">ℝ<\/mi>/g, '<mi mathvariant="double-struck">R</mi>') },
  { check: 'math', expect: /not stacked/, width: 1280, what: 'MathML that the browser does not lay out',
    edit: (h) => h.replace('</head>', '<style>math, math * { display: inline !important; }</style></head>') },
  { check: 'sideways', expect: /content/, width: 390, what: 'a wide formula that does not scroll in its box',
    edit: (h) => h.replace('</head>', '<style>.katex { overflow: visible !important; }</style></head>') },
  { check: 'sideways', expect: /content/, width: 390, what: 'a wide block in the text',
    edit: (h) => h.replace('</main>', '<div style="width: 900px">wide</div></main>') },
  { check: 'figures', expect: /px \(< 11\)/, width: 390, what: 'a figure squeezed into the column',
    edit: (h) => h.replace('</head>', '<style>.lg-figure svg { min-width: 0 !important; max-width: 100% !important; }</style></head>') },
  { check: 'figures', expect: /no drawing/, width: 1280, what: 'a figure with no drawing',
    edit: (h) => h.replace(/(<figure class="lg-figure">)[\s\S]*?<\/svg>/, '$1') },
  { check: 'contrast', expect: /coal: .*lg-grad/, width: 1280, what: 'a pale gradient colour',
    edit: (h) => h.replace('</head>', '<style>.coal { --lg-grad: #7a4a2a !important; }</style></head>') },
  { check: 'figures', expect: /"[^"]+" comes -?[\d.]+ units from the outline of its node/, width: 1280, what: 'operation circles too small for their symbols',
    page: (h) => h.includes('lg-node-op'),
    edit: (h) => h.replace('</head>', '<style>.lg-svg circle.lg-node { r: 14px; }</style></head>') },
  { check: 'themes', expect: /navy: figure \d+ \(Training loss.*\) fills 100% of its drawing with rgb\(255, 255, 255\)/, width: 1280,
    what: 'a white panel hard-coded into a plot', page: (h) => h.includes('lg-plot'),
    edit: (h) => h.replace(/(<svg [^>]*lg-plot[^>]*viewBox="0 0 (\d+) (\d+)"[^]*?<\/desc>)/i, '$1\n<rect x="0" y="0" width="$2" height="$3" fill="#ffffff" stroke="none"/>') },
  { check: 'themes', expect: /navy: figure \d+ \(Decision regions.*\) fills \d+% of its drawing with rgb\(251, 222, 198\)/, width: 1280,
    what: 'light region tints on a dark page', page: (h) => h.includes('lg-plot'),
    edit: (h) => h.replace('</head>', '<style>.navy .lg-plot .lg-tint-1 { color: #fbdec6; }</style></head>') },
  { check: 'themes', expect: /figure \d+ \(.*\): <polyline class="lg-series-2"> has the stroke rgb\(0, 114, 178\) in every theme/, width: 1280,
    what: 'a plot series in a fixed colour', page: (h) => h.includes('lg-plot'),
    edit: (h) => h.replace('</head>', '<style>.lg-plot .lg-series-2 { color: #0072b2; }</style></head>') },
  { check: 'themes', expect: /ayu: --lg-series-1 \(rgb\(122, 58, 0\)\) has contrast/, width: 1280, what: 'a plot series too dark for a dark theme',
    page: (h) => h.includes('lg-plot'),
    edit: (h) => h.replace('</head>', '<style>.ayu { --lg-series-1: #7a3a00 !important; }</style></head>') },
  { check: 'print', expect: /figure ".*" reaches x = \d+ px, \d+ px past the right edge of the page box \(718 px\)/, width: 1280, file: 'print.html',
    what: 'figures 1000 px wide in print', opts: { print: true },
    edit: (h) => h.replace('</head>', '<style>@media print { .lg-figure svg { min-width: 1000px; } }</style></head>') },
  { check: 'print', expect: /code block ".*" is cut off: its content is \d+ px wider than its box \(overflow hidden\)/, width: 1280, file: 'print.html',
    what: 'code that does not wrap in print (at twice its size, since every line fits at its own)', opts: { print: true },
    edit: (h) => h.replace('</head>', '<style>@media print { pre, pre > code { white-space: pre !important; overflow: hidden !important; } pre > code { font-size: 2em !important; } }</style></head>') },
  { check: 'print', expect: /<div\.table-wrapper> ".*" scrolls in print \(overflow auto auto, content \d+ px past its box\), so its scrollbar is printed/, width: 1280, file: 'print.html',
    what: 'tables in a scroll box in print', opts: { print: true },
    edit: (h) => h.replace('</head>', '<style>@media print { .table-wrapper { overflow: auto !important; } }</style></head>') },
  { check: 'print', expect: /PDF page \d+ ends with (the lead-in ".*": what it introduces|"Solution": its solution) starts overleaf/, width: 1280, file: 'print.html',
    what: 'lead-ins and solutions free to end a page in print', opts: { print: true },
    edit: (h) => h.replace('</head>', '<style>@media print { main p, details > summary { break-after: auto !important; } }</style></head>') },
  { check: 'print', expect: /\d+ of \d+ <details> are closed in print, so their content is not printed/, width: 1280, file: 'print.html',
    what: 'solutions left closed in print', opts: { print: true },
    edit: (h) => h.replace(/<script src="[^"]*print-details[^"]*\.js"[^>]*><\/script>/, '') },
  ...BROKEN_TYPESET,
  // Phones: scroll cues and clipping (checkScrollBoxes; cue pixels in navy).
  { check: 'cue', expect: /display formula .* is \d+ px wide in a \d+ px box and shows no cue/, width: 390, what: 'wide formulas without their scroll cue',
    edit: (h) => h.replace('</head>', '<style>.content main .katex { background: none !important; }</style></head>') },
  { check: 'cue', expect: /navy: figure ".*" shows (no cue at|its cue along only \d+% of) its right edge/, width: 390, opts: { cueTheme: 'navy' },
    what: 'a drawing whose opaque fill hides the cue (drawn beneath it)',
    edit: (h) => h.replace('</head>', '<style>.content main .lg-figure::before, .content main .lg-figure::after { z-index: -1 !important; } .content main .lg-figure > svg { background: var(--bg); }</style></head>') },
  { check: 'cue', expect: /navy: display formula ".*" shows a cue at its left edge while its start is in view/, width: 390, opts: { cueTheme: 'navy' },
    what: 'a cue that does not go away at the ends (shadows not tied to the scroll position)',
    edit: (h) => h.replace('</head>', '<style>.content main .katex { animation: none !important; --lg-cue-left: var(--lg-shadow) !important; --lg-cue-right: var(--lg-shadow) !important; }</style></head>') },
  { check: 'cue', expect: /coal: display formula .* paints rgb\(0, 0, 0\) over rgb\(/, width: 390, what: 'boxes that paint a patch in one theme',
    edit: (h) => h.replace('</head>', '<style>.coal { --lg-under: #000 !important; }</style></head>') },
  { check: 'cue', expect: /navy: the scroll shadow \(--lg-shadow\) leaves dimmed text \(--lg-dim\) at contrast/, width: 390, what: 'a scroll shadow too strong to read text on',
    edit: (h) => h.replace('</head>', '<style>:root { --lg-shadow: rgb(128 128 128 / 0.6) !important; }</style></head>') },
  { check: 'clipped', expect: /is cut off \(\d+ px on the right\) by display formula/, width: 390, what: 'wide formulas cut off by a box that does not scroll',
    edit: (h) => h.replace('</head>', '<style>.content main .katex { overflow: hidden !important; }</style></head>') },
  { check: 'clipped', expect: /is cut off \(\d+ px on the right\) by figure/, width: 390, what: 'a figure that clips its drawing',
    edit: (h) => h.replace('</head>', '<style>.content main .lg-figure { overflow: clip !important; }</style></head>') },
  { check: 'code', expect: /inline code ".*" breaks after ".*[^/:. ]"/, width: 390, what: 'inline code that breaks anywhere',
    edit: (h) => h.replace('</head>', '<style>main code, main code .lg-nowrap { white-space: normal !important; word-break: break-all !important; }</style></head>') },
];
// `SELF_TEST_ONLY=words` runs only the breaks whose description holds
// them (the print and search self-tests still run): for working on one check.
const BROKEN = BROKEN_ALL.filter((b) => b.what.includes(process.env.SELF_TEST_ONLY || ''));

async function selfTest(book) {
  const pages = chapters(book);
  // The first chapter with a wide display formula and a figure.
  const target = pages.find((p) => {
    const h = fs.readFileSync(path.join(book, p), 'utf8');
    return h.includes('display="block"') && h.includes('lg-figure') && h.includes('<mfrac');
  });
  if (!target) throw new Error('self-test: no chapter has display math and a figure');
  // A break with a `page` test breaks the first chapter that passes it.
  const read = (p) => fs.readFileSync(path.join(book, p), 'utf8');
  const targets = BROKEN.map((b) => {
    const page = b.file || (b.page ? pages.find((p) => b.page(read(p))) : target);
    if (!page) throw new Error(`self-test: no chapter to break with "${b.what}"`);
    return page;
  });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-broken-'));
  const roots = [book];
  for (const [i, b] of BROKEN.entries()) {
    const dir = path.join(scratch, String(i));
    fs.cpSync(book, dir, { recursive: true });
    const file = path.join(dir, targets[i]);
    const before = fs.readFileSync(file, 'utf8');
    const after = b.edit(before);
    if (after === before) throw new Error(`self-test: could not break ${targets[i]} with "${b.what}"`);
    fs.writeFileSync(file, after);
    roots.push(dir);
  }
  const server = await serve(roots);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
  // Every check that a chapter's break may trip (the print page gets its own).
  const checks = { axTree: true, contrast: true, themes: true, cueThemes: true };
  let bad = 0;
  try {
    // The unbroken pages pass first, so each failure below is the break's.
    const pdf = (i) => path.join(scratch, `print-${i}.pdf`);
    for (const page of new Set(targets)) {
      for (const width of page === 'print.html' ? [1280] : WIDTHS) {
        const opts = page === 'print.html' ? { print: pdf('clean') } : { ...checks, cueTheme: 'navy' };
        const clean = await checkPage(browser, `${origin}/0/`, origin, page, width, opts);
        if (clean.problems.length) {
          console.log(`self-test FAILED: the unbroken ${page} fails at ${width} px:`);
          for (const [c, p] of clean.problems) console.log(`       [${c}] ${p}`);
          bad++;
        }
      }
    }
    const jobs = BROKEN.map((b, i) => ({ b, i }));
    const lines = [];
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const { b, i } = job;
        const opts = b.file ? { ...b.opts, print: b.opts.print && pdf(i) } : { ...checks, font: b.font, ...b.opts };
        const r = await checkPage(browser, `${origin}/${i + 1}/`, origin, targets[i], b.width, opts);
        const hit = r.problems.find(([c, p]) => c === b.check && b.expect.test(p));
        lines[i] = hit
          ? `self-test ok: ${b.what} (${targets[i]}) is caught [${b.check}] ${hit[1].slice(0, 110)}`
          : `self-test FAILED: ${b.what} (${targets[i]}) was not caught by [${b.check}] ${b.expect}; it found: ${
            r.problems.filter(([c]) => c === b.check).map(([, p]) => p.slice(0, 110)).slice(0, 3).join(' | ') || 'nothing'}`;
        if (!hit) bad++;
      }
    };
    await Promise.all([worker(), worker()]);
    for (const l of lines) console.log(l);
    // Print page: one formula and one figure fewer than the chapters hold,
    // checked against all the chapters at one width.
    {
      const dir = path.join(scratch, 'print');
      fs.cpSync(book, dir, { recursive: true });
      const file = path.join(dir, 'print.html');
      const before = fs.readFileSync(file, 'utf8');
      const after = before.replace(/<span class="katex">[\s\S]*?<\/math><\/span>/, '')
        .replace(/<figure class="lg-figure">[\s\S]*?<\/figure>/, '');
      if (after.length >= before.length - 200) throw new Error('self-test: could not remove a formula and a figure from print.html');
      fs.writeFileSync(file, after);
      const printServer = await serve([dir]);
      const po = `http://127.0.0.1:${printServer.address().port}`;
      const all = [...pages, 'print.html'];
      const results = new Map();
      const queue = [...all];
      const worker = async () => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          results.set(`${f}@${WIDTHS[0]}`, await checkPage(browser, `${po}/0/`, po, f, WIDTHS[0], {}));
        }
      };
      await Promise.all([worker(), worker()]);
      printServer.close();
      checkPrintTotals(results, all, WIDTHS[0]);
      const found = results.get(`print.html@${WIDTHS[0]}`).problems.filter(([c]) => c === 'print').map(([, p]) => p);
      const both = ['formulas', 'figures'].every((k) => found.some((p) => p.includes(` ${k},`)));
      console.log(both ? `self-test ok: a print page missing a formula and a figure is caught [print] ${found.join('; ')}`
        : `self-test FAILED: a print page missing a formula and a figure was not caught by [print] (${found.join('; ') || 'no problem found'})`);
      if (!both) bad++;
    }
    // Search: an index that lacks the words finds nothing.
    const dir = path.join(scratch, 'search');
    fs.cpSync(book, dir, { recursive: true });
    for (const f of fs.readdirSync(dir).filter((f) => /^searchindex.*\.js$/.test(f))) {
      const p = path.join(dir, f);
      fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(/jacobian|outer/gi, 'zzz'));
    }
    const searchServer = await serve([dir]);
    const so = `http://127.0.0.1:${searchServer.address().port}`;
    const r = await checkSearch(browser, `${so}/0/`, so);
    searchServer.close();
    const hit = r.problems.find(([c]) => c === 'search');
    console.log(hit ? `self-test ok: a search index without the words is caught [search] ${hit[1]}`
      : 'self-test FAILED: a search index without the words was not caught by [search]');
    if (!hit) bad++;
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return bad;
}

(async () => {
  const [book, out, mode] = process.argv.slice(2);
  if (!book || !out) {
    console.error('usage: node browser-test.js BOOK_DIR OUT_DIR [--self-test]');
    process.exit(2);
  }
  const t0 = Date.now();
  const failed = mode === '--self-test' ? await selfTest(path.resolve(book)) : await testBook(path.resolve(book), path.resolve(out));
  console.log(`browser-test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
