// The error summary of a form that came back with errors (templates/partials/error_summary.html):
// keyboard focus moves to it when the page loads, so a screen reader reads the problems first, and
// each link puts the focus in its field with the field's label in view. Loaded only on such pages.
(function () {
  "use strict";

  const summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();

  summary.addEventListener("click", function (event) {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) return;
    event.preventDefault();
    const label = document.querySelector("label[for='" + CSS.escape(field.id) + "']");
    const legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    (legend || label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
