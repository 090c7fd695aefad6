// The plan form shows only the fields that apply to the choices made: the hand-written steps (and
// their high-dose reason) for "Write the steps by hand", the start date for a start "On a date".
// Without this script every field shows and the server ignores the ones that do not apply.
(function () {
  "use strict";

  var groups = document.querySelectorAll("[data-applies-field]");
  if (!groups.length) {
    return;
  }

  function chosen(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function update() {
    groups.forEach(function (group) {
      var form = group.closest("form");
      var name = group.getAttribute("data-applies-field");
      if (!form || !form.querySelector('input[name="' + name + '"]')) {
        return;
      }
      group.hidden = chosen(form, name) !== group.getAttribute("data-applies-value");
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name && document.querySelector('[data-applies-field="' + target.name + '"]')) {
      update();
    }
  });
  update();
})();
