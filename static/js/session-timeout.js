// Session expiry (docs/architecture.md "Session expiry"): two minutes before a signed-in session
// ends, an alert dialog offers "Stay signed in"; when it ends, the page goes to the sign-in page.
// The seconds left come from <meta name="session-seconds-left"> (rendered by the server for this
// request). Pages that keep a message being written (message-draft.js) listen to the
// "portal:session-warning", "portal:session-renewed" and "portal:session-ended" events.
//
// Every page (signed in or not) also removes kept messages that are too old or belong to
// someone else, and sign-out removes them all: on a shared computer health text must not linger.
(function () {
  "use strict";

  var DRAFT_PREFIX = "ldn.draft.";
  var ENDS_AT_KEY = "ldn.session.endsAt"; // shared by the tabs of one browser; no health data
  // The page leaves for sign-in a little after the server's limit, so the session has surely ended.
  var END_MARGIN_MS = 5000;

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage switched off: nothing is kept
    }
  }

  function draftKeys() {
    var store = storage();
    var keys = [];
    if (!store) return keys;
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  function removeDrafts(keep) {
    var store = storage();
    if (!store) return;
    draftKeys().forEach(function (key) {
      if (!keep || !keep(key)) store.removeItem(key);
    });
  }

  function metaNumber(name) {
    var meta = document.querySelector('meta[name="' + name + '"]');
    if (!meta) return null;
    var value = parseInt(meta.getAttribute("content"), 10);
    return isNaN(value) ? null : value;
  }

  function tidyDrafts(userId) {
    var store = storage();
    var maxAgeMs = (metaNumber("draft-max-age") || 0) * 1000;
    var now = Date.now();
    removeDrafts(function (key) {
      var owner = key.slice(DRAFT_PREFIX.length).split(".")[0];
      if (userId && owner !== userId) return false;
      try {
        var saved = JSON.parse(store.getItem(key));
        return Boolean(saved && saved.savedAt && now - saved.savedAt < maxAgeMs);
      } catch (e) {
        return false;
      }
    });
  }

  var dialogElement = document.getElementById("session-timeout");
  var userId = dialogElement ? dialogElement.getAttribute("data-user") : null;
  tidyDrafts(userId);

  // Every way of signing out drops the drafts: the header's button and allauth's own sign-out page.
  document.querySelectorAll('form[data-signout], form[action$="/accounts/logout/"]').forEach(function (form) {
    form.addEventListener("submit", function () {
      removeDrafts();
    });
  });

  var secondsLeft = metaNumber("session-seconds-left");
  if (!dialogElement || secondsLeft === null || !window.bootstrap) return;
  // The video room keeps the session alive through its socket during a call (visit-room.js):
  // neither warn nor leave in the middle of a visit.
  if (document.getElementById("visit-room")) return;

  var warningMs = parseInt(dialogElement.getAttribute("data-warning-seconds"), 10) * 1000;
  var loginUrl = dialogElement.getAttribute("data-login-url");
  var refreshForm = dialogElement.querySelector("form[data-session-refresh]");
  var stayButton = refreshForm.querySelector("button");
  var failed = dialogElement.querySelector("[data-session-refresh-failed]");
  var modal = new window.bootstrap.Modal(dialogElement);
  var warningTimer = null;
  var endTimer = null;
  var endsAt = 0;
  var shown = false;

  function announce(name) {
    document.dispatchEvent(new CustomEvent(name));
  }

  function sharedEndsAt() {
    var store = storage();
    var value = store ? parseInt(store.getItem(ENDS_AT_KEY), 10) : NaN;
    return isNaN(value) ? 0 : value;
  }

  function arm(seconds) {
    endsAt = Date.now() + seconds * 1000;
    var store = storage();
    if (store && endsAt > sharedEndsAt()) store.setItem(ENDS_AT_KEY, String(endsAt));
    schedule();
  }

  function schedule() {
    window.clearTimeout(warningTimer);
    window.clearTimeout(endTimer);
    warningTimer = window.setTimeout(warn, Math.max(0, endsAt - warningMs - Date.now()));
    endTimer = window.setTimeout(end, Math.max(0, endsAt + END_MARGIN_MS - Date.now()));
  }

  // Another tab of this browser may have kept the session alive since this page loaded.
  function extendedElsewhere() {
    var shared = sharedEndsAt();
    if (shared > endsAt + 1000) {
      endsAt = shared;
      hide();
      announce("portal:session-renewed");
      schedule();
      return true;
    }
    return false;
  }

  function warn() {
    if (extendedElsewhere()) return;
    shown = true;
    failed.hidden = true;
    modal.show();
    announce("portal:session-warning");
  }

  function hide() {
    if (shown) modal.hide();
    shown = false;
  }

  function end() {
    if (extendedElsewhere()) return;
    announce("portal:session-ended");
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }

  dialogElement.addEventListener("shown.bs.modal", function () {
    // Bootstrap marks every modal role="dialog"; this one interrupts, so it is an alert dialog.
    dialogElement.setAttribute("role", "alertdialog");
    stayButton.focus();
  });

  refreshForm.addEventListener("submit", function (event) {
    event.preventDefault();
    stayButton.disabled = true;
    fetch(refreshForm.action, {
      method: "POST",
      body: new FormData(refreshForm),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      redirect: "manual",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("refused");
        return response.json();
      })
      .then(function (answer) {
        arm(answer.seconds_left);
        if (answer.seconds_left * 1000 > warningMs) {
          hide();
          announce("portal:session-renewed");
        } else {
          // Only the idle limit can be pushed back; the sign-in's overall limit is near.
          failed.hidden = false;
        }
      })
      .catch(function () {
        failed.hidden = false;
      })
      .finally(function () {
        stayButton.disabled = false;
        stayButton.focus();
      });
  });

  arm(secondsLeft);
})();
