// Colophon's own small script. The site works without it; it only polishes htmx swaps.
(function () {
  "use strict";
  // When htmx swaps in a form with errors (422), move focus to the first invalid field.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.xhr || event.detail.xhr.status !== 422) return;
    var invalid = document.querySelector("form [aria-invalid='true']");
    if (invalid) invalid.focus();
  });
  // After "Show more" (or any swap that marks one), focus moves to the first new item.
  document.addEventListener("htmx:afterSettle", function () {
    var here = document.querySelector("[data-focus-here]");
    if (!here) return;
    here.removeAttribute("data-focus-here");
    here.focus();
  });
})();
