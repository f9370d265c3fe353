// The phone's quiz pages (no inline script: the CSP allows only files from this site).

// Join page: the organization picker. A county has thousands of units, so they load per town.
(function () {
  "use strict";
  var town = document.getElementById("town"), org = document.getElementById("organization_id");
  if (!town || !org) return;
  function fill(rows, first) {
    org.innerHTML = "";
    var head = document.createElement("option"); head.value = "0"; head.textContent = first; org.appendChild(head);
    (rows || []).forEach(function (row) {
      var o = document.createElement("option"); o.value = row.id; o.textContent = row.name; org.appendChild(o);
    });
  }
  town.addEventListener("change", function () {
    if (!town.value) { fill([], "请先选择乡镇（街道）"); return; }
    fill([], "加载中…");
    fetch(town.dataset.orgsUrl + "?town=" + encodeURIComponent(town.value), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (rows) { fill(rows, "请选择"); })
      .catch(function () { fill([], "加载失败，请重选乡镇（街道）"); });
  });
})();

// Answer sheet: every change is saved at once, and kept in localStorage until the
// server has it, so a reload, a dropped connection or a locked phone loses nothing. The server
// keeps the clock; the countdown here only shows it and hands the paper in at zero.
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) return;
  var token = form.dataset.token, saveUrl = form.dataset.saveUrl;
  var storeKey = "qz-pending-" + token;
  var status = document.getElementById("saved");
  var pending = load(), inFlight = false, timer = null, retryDelay = 2000, submitting = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function keep() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode: memory only */ }
  }
  function show(text, bad) { status.textContent = text; status.className = bad ? "saved bad" : "saved"; }

  function valueOf(fieldset) {
    var kind = fieldset.dataset.kind, inputs = fieldset.querySelectorAll("input");
    if (kind === "fill") return inputs[0].value;
    var chosen = [];
    inputs.forEach(function (input) { if (input.checked) chosen.push(parseInt(input.value, 10)); });
    return kind === "multiple" ? chosen : (chosen.length ? chosen[0] : null);
  }
  function apply(fieldset, value) {
    var kind = fieldset.dataset.kind, inputs = fieldset.querySelectorAll("input");
    if (kind === "fill") { inputs[0].value = value || ""; return; }
    var chosen = Array.isArray(value) ? value : (value === null ? [] : [value]);
    inputs.forEach(function (input) { input.checked = chosen.indexOf(parseInt(input.value, 10)) >= 0; });
  }
  function answered() {
    var n = 0;
    form.querySelectorAll("fieldset.q").forEach(function (fs) {
      var v = valueOf(fs);
      if (v !== null && v !== "" && !(Array.isArray(v) && !v.length)) n++;
    });
    document.getElementById("answered").textContent = n;
    return n;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }
  function save() {
    if (inFlight || submitting) return;
    var keys = Object.keys(pending);
    if (!keys.length) return;
    var sent = {};
    keys.forEach(function (k) { sent[k] = pending[k]; });
    inFlight = true;
    show("保存中…");
    fetch(saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Attempt-Token": token},
      body: JSON.stringify({answers: sent})
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }).then(function (r) {
      inFlight = false;
      if (r.status === 200) {
        keys.forEach(function (k) { if (JSON.stringify(pending[k]) === JSON.stringify(sent[k])) delete pending[k]; });
        keep();
        retryDelay = 2000;
        show("已保存");
        if (Object.keys(pending).length) schedule(300);
      } else if (r.status === 409) {
        show(r.body.error, true);
        localStorage.removeItem(storeKey);
        setTimeout(function () { location.reload(); }, 1500);
      } else {
        show(r.body.error || "保存失败", true);
      }
    }).catch(function () {
      inFlight = false;
      show("网络不畅，答案已暂存在本机，恢复后自动保存", true);
      schedule(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  form.querySelectorAll("fieldset.q").forEach(function (fieldset) {
    var position = fieldset.dataset.position;
    if (Object.prototype.hasOwnProperty.call(pending, position)) apply(fieldset, pending[position]);
    fieldset.addEventListener("change", function () {
      pending[position] = valueOf(fieldset); keep(); answered(); schedule(200);
    });
    fieldset.addEventListener("input", function (event) {
      if (event.target.type !== "text") return;
      pending[position] = valueOf(fieldset); keep(); answered(); schedule(800);
    });
  });
  answered();
  if (Object.keys(pending).length) schedule(0);
  window.addEventListener("online", function () { schedule(0); });

  form.addEventListener("submit", function (event) {
    var total = form.querySelectorAll("fieldset.q").length, left = total - answered();
    if (!event.detail && left > 0 && !confirm("还有 " + left + " 题未作答，确定交卷吗？")) { event.preventDefault(); return; }
    submitting = true;
    document.getElementById("submit").disabled = true;
    localStorage.removeItem(storeKey);
  });

  var clock = document.getElementById("timer");
  if (clock) {
    var endsAt = Date.now() + parseInt(clock.dataset.seconds, 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left === 0 && !submitting) {
        submitting = true;
        show("时间到，正在交卷…", true);
        localStorage.removeItem(storeKey);
        form.submit();
        return;
      }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
