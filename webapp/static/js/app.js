// Small behaviours for server-rendered pages; no inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // Ask before a destructive button submits its form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Organization form: show the enterprise and school fields only for those kinds.
  var form = document.querySelector("[data-org-form]");
  if (form) {
    var kind = form.querySelector("select[name=kind]");
    var sync = function () {
      form.querySelectorAll("[data-kind-only]").forEach(function (row) {
        row.hidden = row.getAttribute("data-kind-only") !== kind.value;
      });
    };
    kind.addEventListener("change", sync);
    sync();
  }
})();

// A filter that applies as soon as it changes (no inline handlers: the CSP forbids them).
document.querySelectorAll("[data-autosubmit]").forEach(function (field) {
  field.addEventListener("change", function () { field.form.submit(); });
});
