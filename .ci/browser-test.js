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
//   figures   every figure has a drawing, and its smallest text is at least
//             11 CSS px as drawn; in all five mdBook themes every figure
//             text meets WCAG AA contrast (4.5:1) against what is behind it;
//   typeset   the mathematics is set as TeX would set it (primes, operator
//             names, aligned relations, signs, brace labels, brackets, and
//             no punctuation orphaned after an inline formula): see
//             inPageTypeset. These checks run once more on every chapter
//             in each other math font of MATH_FONTS, at both widths;
//   fonts     each of those fonts is installed, so that its run means
//             something.
//
// Screenshots of every page at both widths go to the output folder.
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
//                 product) do not touch.
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
  return problems;
}

// Contrast of every figure text against what is drawn behind it, in each
// theme: fill colour (with its opacity) over the last shape under the
// text's centre, over the page background.
function inPageContrast(themes) {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
  };
  const over = (top, a, under) => ({ r: top.r * a + under.r * (1 - a), g: top.g * a + under.g * (1 - a), b: top.b * a + under.b * (1 - a) });
  const lum = (c) => {
    const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
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
    let page = parse(getComputedStyle(document.body).backgroundColor);
    if (!page || page.a === 0) page = parse(getComputedStyle(html).backgroundColor);
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
          const fill = st.fill === 'none' ? null : parse(st.fill);
          if (!fill || fill.a === 0) continue;
          const b = s.getBBox();
          if (cx < b.x || cx > b.x + b.width || cy < b.y || cy > b.y + b.height) continue;
          if (s.tagName !== 'rect' && s.tagName !== 'circle' && s.tagName !== 'ellipse') {
            const p = svg.createSVGPoint(); p.x = cx; p.y = cy;
            if (!s.isPointInFill(p)) continue;
          }
          bg = over(fill, fill.a * parseFloat(st.fillOpacity) * opacity(s, svg), bg);
        }
        const st = getComputedStyle(t);
        const fill = parse(st.fill);
        if (!fill) continue;
        const fg = over(fill, fill.a * parseFloat(st.fillOpacity) * opacity(t, svg), bg);
        const r = ratio(fg, bg);
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

async function openPage(browser, width, origin) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log = { console: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.console.push(m.text()); });
  page.on('pageerror', (e) => log.console.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(origin)) return; // already reported below
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
    const got = await page.evaluate(
      `(${inPageChecks.toString().replace(/MIN_PX/g, MIN_FIGURE_TEXT_PX)})()`,
    );
    info = got;
    for (const [check, list] of Object.entries(got.problems)) for (const p of list) problems.push([check, p]);
    for (const p of await page.evaluate(`(${inPageTypeset.toString()})()`)) problems.push(['typeset', p]);
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
    if (opts.screenshot) {
      await page.screenshot({ path: opts.screenshot, fullPage: opts.fullPage !== false });
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
          screenshot: shot,
          fullPage: chapter,
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
        const contrast = info.contrastChecked ? `, ${info.contrastChecked} figure texts contrast-checked` : '';
        console.log(`${problems.length ? 'FAIL' : 'ok  '} ${file} @ ${width}px: ${info.formulas ?? '?'} formulas${extra}, ${info.figures ?? '?'} figures${contrast}, math in ${info.mathFont} (${info.seconds} s)`);
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
  { check: 'typeset', expect: /operator name "ln" has no space before/, width: 1280, what: 'operator names without their thin spaces',
    page: (h) => h.includes('<mi>ln</mi><mo>\u2061</mo><mspace width="0.1667em" />'),
    edit: (h) => h.replace(/<mspace width="0\.1667em" \/>/g, '') },
  { check: 'typeset', expect: /aligned relations not in one column/, width: 1280, what: 'aligned blocks with centred cells',
    page: (h) => h.includes('columnalign="right left"'),
    edit: (h) => h.replace(/<mtd style="[^"]*">/g, '<mtd>') },
  { check: 'typeset', expect: /"," starts a line after the formula/, width: 1280, what: 'a comma free to leave its formula',
    // A paragraph at the end of the page holds a copy of one of its inline
    // formulas and the comma after it, as drop-tex would write them without
    // the no-break span; the paragraph is made just wide enough for the
    // formula, so that the comma cannot fit after it.
    page: (h) => /<span class="lg-nobreak"><span class="katex"><math xmlns="[^"]*">[\s\S]*?<\/math><\/span>,<\/span>/.test(h),
    edit: (h) => {
      const f = h.match(/<span class="lg-nobreak">(<span class="katex"><math xmlns="[^"]*">[\s\S]*?<\/math><\/span>),<\/span>/)[1];
      return h.replace('</main>', `<p id="lg-orphan">Then ${f}, and so on.</p><script>
        addEventListener('load', () => document.fonts.ready.then(() => {
          const p = document.getElementById('lg-orphan');
          p.style.width = (p.querySelector('.katex').getBoundingClientRect().right - p.getBoundingClientRect().left + 1) + 'px';
        }));</script></main>`);
    } },
  { check: 'typeset', expect: /sign "−" after "[=(,]" spaced as a subtraction/, width: 1280, what: 'leading minus signs spaced as subtractions',
    page: (h) => h.includes('<mo form="prefix">−</mo>'),
    edit: (h) => h.replace(/<mo form="prefix">/g, '<mo>') },
  { check: 'typeset', expect: /brace label .* 70% of its formula/, width: 1280, what: 'underbrace labels at script size',
    page: (h) => h.includes('mathsize="0.8em"'),
    edit: (h) => h.replace(/ mathsize="0\.8em"/g, '') },
  { check: 'typeset', expect: /two bracketed groups touch/, width: 1280, what: 'the two matrices of a product side by side',
    page: (h) => /<\/mo><\/mrow><mspace width="0\.1667em" \/><mrow><mo fence="true">/.test(h),
    edit: (h) => h.replace(/(<\/mo><\/mrow>)<mspace width="0\.1667em" \/>(<mrow><mo fence="true">)/g, '$1$2') },
  { check: 'fonts', expect: /"No Such Math" is not installed/, width: 1280, what: 'a math font that is not installed',
    font: 'No Such Math', edit: (h) => h.replace('</main>', '<!-- in No Such Math --></main>') },
];

// Each broken variant edits one page of a copy of the book and must be
// caught by the check it names, at the width given.
const BROKEN = [
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
  ...BROKEN_TYPESET,
];

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
    const page = b.page ? pages.find((p) => b.page(read(p))) : target;
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
  let bad = 0;
  try {
    // The unbroken pages pass first, so each failure below is the break's.
    for (const page of new Set(targets)) {
      for (const width of WIDTHS) {
        const clean = await checkPage(browser, `${origin}/0/`, origin, page, width, { axTree: true, contrast: true });
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
        const r = await checkPage(browser, `${origin}/${i + 1}/`, origin, targets[i], b.width, { axTree: true, contrast: true, font: b.font });
        const hit = r.problems.find(([c, p]) => c === b.check && b.expect.test(p));
        lines[i] = hit
          ? `self-test ok: ${b.what} (${targets[i]}) is caught [${b.check}] ${hit[1].slice(0, 110)}`
          : `self-test FAILED: ${b.what} (${targets[i]}) was not caught by [${b.check}] ${b.expect}`;
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
