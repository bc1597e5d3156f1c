// A square root ends where its bar ends, as in TeX. In some math fonts
// Chromium lays a root out wider than its bar: 0.22 em wider in Latin Modern
// Math, none in Noto Sans Math, so that "√6 / √9" gets a gap after each root.
// The font is the browser's choice, so the browser measures it: each root
// gets a negative right margin as wide as the room its box has past its
// radicand, measured again whenever the root's size changes (a font loads,
// the reader zooms).
(function () {
    'use strict';
    if (typeof ResizeObserver === 'undefined') {
        return;
    }
    function trim(root) {
        // The radicand of <msqrt> is all its children; of <mroot>, the first.
        var parts = root.localName === 'mroot'
            ? [root.firstElementChild]
            : Array.prototype.slice.call(root.children);
        var end = -Infinity;
        parts.forEach(function (p) {
            if (p) end = Math.max(end, p.getBoundingClientRect().right);
        });
        if (end === -Infinity) return;
        var past = root.getBoundingClientRect().right - end;
        root.style.marginRight = past > 0.5 ? -past + 'px' : '';
    }
    var watch = new ResizeObserver(function (entries) {
        entries.forEach(function (e) { trim(e.target); });
    });
    document.querySelectorAll('main msqrt, main mroot').forEach(function (r) {
        watch.observe(r);
    });
})();
