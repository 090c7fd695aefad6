// The booking page (templates/patients/appointment_book.html): after a time is chosen, keyboard and
// screen-reader focus moves to the "3. Confirm" panel, so the next stop is "Book this visit". Without
// JavaScript the time's link (…#confirm) still scrolls the panel into view. Loaded only when the
// panel is on the page.
(function () {
  "use strict";

  const panel = document.getElementById("confirm");
  if (!panel) return;
  panel.focus();
})();
