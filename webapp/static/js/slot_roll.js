// The live roll (签到名单): every 10 s fetch the page again and swap in its present / missing lists,
// counts and corrections log, unless the officer is busy with a correction (a reason typed, a field
// focused, an error shown), so nothing typed is ever wiped. No inline script (the CSP forbids it).
(function () {
  "use strict";

  var REFRESH_MS = 10000;
  var live = document.querySelector("[data-roll-live]");
  if (!live || !window.fetch || !window.DOMParser) { return; }

  function busy() {
    var active = document.activeElement;
    if (active && live.contains(active) && active.closest("form")) { return true; }
    if (live.querySelector(".is-invalid")) { return true; }
    return Array.prototype.some.call(live.querySelectorAll("input[name=reason]"), function (field) {
      return field.value.trim() !== "";
    });
  }

  function refresh() {
    if (busy() || document.hidden) { return; }
    fetch(window.location.pathname, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-roll-live]");
        if (fresh && !busy()) { live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes)); }
      })
      .catch(function () { /* try again at the next tick */ });
  }

  window.setInterval(refresh, REFRESH_MS);
})();
