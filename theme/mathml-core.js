// Local Gradients: small repairs to the MathML that KaTeX 0.16 writes, for
// browsers that implement MathML Core (Chromium, Firefox, Safari). It runs
// once per page, needs nothing from the network, and the formulas read
// correctly without it (theme/local-gradients.css has the fallbacks).
(function () {
  'use strict';
  const math = document.querySelectorAll('main math');
  if (math.length === 0) return;

  // MathML Core draws only normal and italic letters, so KaTeX's
  // mathvariant="double-struck" R and mathvariant="bold" 1 become the
  // Unicode characters that mean them: ℝ and 𝟏.
  // Seven double-struck capitals live in the Letterlike Symbols block; the
  // other letters (such as the indicator's I) in Mathematical Alphanumerics.
  const LETTERLIKE = { C: 'ℂ', H: 'ℍ', N: 'ℕ', P: 'ℙ', Q: 'ℚ', R: 'ℝ', Z: 'ℤ' };
  const doubleStruck = (t) => {
    if (LETTERLIKE[t]) return LETTERLIKE[t];
    if (/^[A-Z]$/.test(t)) return String.fromCodePoint(0x1d538 + t.charCodeAt(0) - 65);
    if (/^[a-z]$/.test(t)) return String.fromCodePoint(0x1d552 + t.charCodeAt(0) - 97);
    return null;
  };
  for (const mi of document.querySelectorAll('main mi[mathvariant="double-struck"]')) {
    const c = doubleStruck(mi.textContent);
    if (c) { mi.textContent = c; mi.setAttribute('mathvariant', 'normal'); }
  }
  for (const el of document.querySelectorAll('main mi[mathvariant="bold"], main mn[mathvariant="bold"]')) {
    const t = el.textContent;
    if (/^[0-9]+$/.test(t)) {
      el.textContent = [...t].map((d) => String.fromCodePoint(0x1d7ce + Number(d))).join('');
      el.setAttribute('mathvariant', 'normal');
    }
  }

  // A minus sign that starts a number, as in (−1), = −2 or [3, −4], is a
  // sign, not a subtraction: KaTeX leaves it in the middle of a row, where
  // the browser would space it like a binary operator, "( − 1)". Mark it
  // as a prefix operator, which takes no space.
  const blank = (el) => (el.localName === 'mtext' || el.localName === 'mspace') && !el.textContent.trim();
  const closing = /^[)\]}|‖⟩′!]$/;
  for (const mo of document.querySelectorAll('main mo')) {
    if (mo.textContent !== '−' || mo.hasAttribute('form')) continue;
    let prev = mo.previousElementSibling;
    while (prev && blank(prev)) prev = prev.previousElementSibling;
    if (!prev || (prev.localName === 'mo' && !closing.test(prev.textContent))) {
      mo.setAttribute('form', 'prefix');
    }
  }
})();
