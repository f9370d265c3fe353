// The projector's sign-in screen (签到大屏): polls code.json every few seconds and at the end of each
// code period, swaps the QR code and the typed code when they change, and updates the counts and the
// last names signed in. The poster page uses the same file for its print button.
// No framework and no inline script (the CSP forbids it); text goes in through textContent only.
(function () {
  "use strict";

  var POLL_MS = 3000;

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var screen = document.querySelector("[data-signin-screen]");
  if (!screen) { return; }

  var url = screen.getAttribute("data-url");
  var qr = screen.querySelector("[data-qr]");
  var code = screen.querySelector("[data-code]");
  var present = screen.querySelector("[data-present]");
  var expected = screen.querySelector("[data-expected]");
  var recent = screen.querySelector("[data-recent]");
  var state = screen.querySelector("[data-state]");
  var status = screen.querySelector("[data-status]");
  var countdown = screen.querySelector("[data-countdown]");
  var seconds = countdown ? countdown.querySelector("[data-seconds]") : null;

  var deadline = null;
  var timer = null;
  var failures = 0;

  function setDeadline(left, isStatic) {
    if (!countdown) { return; }
    countdown.hidden = !!isStatic;
    deadline = isStatic ? null : Date.now() + Math.max(0, Number(left) || 0) * 1000;
  }

  function render(data) {
    if (code.textContent !== data.code) {
      qr.src = data.qr;
      code.textContent = data.code;
    }
    present.textContent = String(data.present);
    expected.textContent = String(data.expected);
    state.textContent = data.state || "";
    recent.textContent = "";
    (data.recent || []).forEach(function (r) {
      var item = document.createElement("li");
      item.textContent = r.name + " " + r.time;
      recent.appendChild(item);
    });
    setDeadline(data.seconds_left, data.static);
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  function poll() {
    fetch(url, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // A login page after the session expired is not JSON: say so instead of drawing it.
        if (!response.ok || type.indexOf("json") < 0) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        status.textContent = "";
        render(data);
      })
      .catch(function () {
        failures += 1;
        if (failures >= 2) { status.textContent = "连接中断，正在重试…（如已退出登录，请重新登录后刷新本页）"; }
      })
      .then(function () {
        // Poll again soon, and right after the code changes.
        var untilChange = deadline === null ? POLL_MS : Math.max(250, deadline - Date.now() + 300);
        schedule(Math.min(POLL_MS, untilChange));
      });
  }

  if (countdown) {
    setDeadline(countdown.getAttribute("data-countdown"), countdown.hidden);
    window.setInterval(function () {
      if (deadline === null) { return; }
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      var text = String(left);
      if (seconds.textContent !== text) { seconds.textContent = text; }
    }, 250);
  }
  schedule(POLL_MS);
})();
