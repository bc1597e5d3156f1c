// Printing shows every exercise's solution: a closed <details> would print
// as a bare "Solution". The print page (print.html, which prints itself as
// soon as it loads) opens them at once; any other page opens them before
// the browser prints it.
(function () {
    'use strict';
    function openAll() {
        document.querySelectorAll('main details:not([open])').forEach(function (d) {
            d.open = true;
        });
    }
    if (/\/print\.html$/.test(window.location.pathname)) {
        openAll();
    }
    window.addEventListener('beforeprint', openAll);
})();
