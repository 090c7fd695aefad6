// Keeps a message being written across a session that ends (docs/architecture.md "Session expiry").
// The text goes to this browser's localStorage only once the "you will be signed out" warning
// shows, is updated while the warning is up and when the session ends, and is removed as soon
// as it is put back in the box, when the patient stays signed in, when the message is sent and
// on sign-out (session-timeout.js). Nothing is sent to the server and nothing goes in a URL.
(function () {
  "use strict";

  var form = document.querySelector("form[data-message-draft]");
  if (!form) return;
  var box = form.querySelector("textarea[name=body]");
  if (!box) return;
  var key = "ldn.draft." + form.getAttribute("data-message-draft");
  var notice = document.querySelector("[data-draft-notice]");
  var keeping = false; // between the warning and the end of the session
  var ended = false;

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function save() {
    var store = storage();
    if (!store) return;
    if (box.value.trim()) {
      store.setItem(key, JSON.stringify({ text: box.value, savedAt: Date.now() }));
    } else {
      store.removeItem(key);
    }
  }

  function forget() {
    var store = storage();
    if (store) store.removeItem(key);
  }

  // Put back a message kept when the session ended, then forget it.
  var store = storage();
  var kept = null;
  try {
    kept = store ? JSON.parse(store.getItem(key)) : null;
  } catch (e) {
    kept = null;
  }
  if (kept && kept.text) {
    if (!box.value.trim()) {
      box.value = kept.text;
      if (notice) notice.hidden = false;
    }
    forget();
  }

  box.addEventListener("input", function () {
    if (keeping) save();
  });
  document.addEventListener("portal:session-warning", function () {
    keeping = true;
    save();
  });
  document.addEventListener("portal:session-renewed", function () {
    keeping = false;
    forget();
  });
  document.addEventListener("portal:session-ended", function () {
    ended = true;
    save();
  });
  form.addEventListener("submit", function () {
    // A send after the session ended goes to the sign-in page, not to the care team: keep it.
    if (!ended) forget();
  });
})();
