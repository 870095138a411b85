// The web console's few behaviours (a file: the CSP allows no inline script). Every page
// works without it; it only asks before actions that cannot be undone.
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var ask = form.getAttribute('data-confirm');
    if (ask && !window.confirm(ask)) event.preventDefault();
  });
})();
