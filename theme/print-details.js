// Printing shows every exercise's solution: a closed <details> would print
// as a bare "Solution". It also marks short listings, which print whole.
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
    }
    if (/\/print\.html$/.test(window.location.pathname)) {
        openAll();
    }
    window.addEventListener('beforeprint', openAll);
})();
