// Confirm dialogs (templates/partials/components/confirm_dialog.html). Without this script the
// trigger is a link to a page that asks the same question; with it, the question opens in a native
// <dialog> on the page itself, and its form posts to the same place. The browser keeps the focus
// inside the open dialog, closes it on Escape and returns the focus to the trigger.
(function () {
  "use strict";

  if (typeof HTMLDialogElement !== "function") return;

  document.addEventListener("click", function (event) {
    const trigger = event.target.closest("[data-confirm-dialog]");
    if (!trigger) return;
    const dialog = document.getElementById(trigger.getAttribute("data-confirm-dialog"));
    if (!dialog || dialog.tagName !== "DIALOG" || dialog.open) return;
    event.preventDefault();
    dialog.showModal();
  });
})();
