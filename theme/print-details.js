// Printing shows every exercise's solution: a closed <details> would print
// as a bare "Solution". It also marks short listings, and the short
// sentences that lead into something, which print whole.
// The print page (print.html, which prints itself as soon as it loads)
// does both at once; any other page does them before the browser prints.
(function () {
    'use strict';
    function openAll() {
        document.querySelectorAll('main details:not([open])').forEach(function (d) {
            d.open = true;
        });
        // A short listing prints whole (the class is styled for print only).
        document.querySelectorAll('main pre').forEach(function (pre) {
            if (pre.textContent.replace(/\n$/, '').split('\n').length <= 15) {
                pre.classList.add('lg-short');
            }
        });
        // So does a short sentence that leads into a listing, a table, a
        // figure, a list or a display (about three printed lines): split,
        // it would leave a line alone at the foot or the head of a page.
        var follows = 'pre, .table-wrapper, .lg-figure, figure, ul, ol, p';
        document.querySelectorAll('main p').forEach(function (p) {
            var next = p.nextElementSibling;
            var display = next && next.matches('p') && next.querySelector(':scope > .katex > math[display="block"]');
            if (next && next.matches(follows) && (!next.matches('p') || display) && p.textContent.length <= 280) {
                p.classList.add('lg-short');
            }
        });
    }
    if (/\/print\.html$/.test(window.location.pathname)) {
        openAll();
    }
    window.addEventListener('beforeprint', openAll);
})();
