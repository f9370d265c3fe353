// On-site contest screens (现场竞赛): the big-screen scoreboard and the projector's question view poll
// their JSON every 2 s and redraw; countdowns tick between polls (the host's console has one too).
// No framework and no inline script (the CSP forbids it); text goes in through textContent only.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var HIGHLIGHT_MS = 2500;

  function poll(url, render, statusEl) {
    var failures = 0;
    function setStatus(text) {
      if (statusEl) { statusEl.textContent = text; }
    }
    function tick() {
      fetch(url, { cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          // A login page after the session expired is not JSON: say so instead of drawing it.
          if (!response.ok || type.indexOf("json") < 0) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          setStatus("");
          render(data);
        })
        .catch(function () {
          failures += 1;
          if (failures >= 2) { setStatus("连接中断，正在重试…"); }
        })
        .then(function () { window.setTimeout(tick, POLL_MS); });
    }
    window.setTimeout(tick, POLL_MS);
  }

  // A countdown shows whole seconds left; set(null) hides it.
  function Countdown(el) {
    this.el = el;
    this.deadline = null;
    var initial = el.getAttribute("data-countdown");
    this.set(initial === "" || initial === null ? null : Number(initial));
    var self = this;
    window.setInterval(function () { self.draw(); }, 250);
  }
  Countdown.prototype.set = function (remaining) {
    if (remaining === null || remaining === undefined || isNaN(remaining)) {
      this.deadline = null;
      this.el.hidden = true;
      return;
    }
    this.deadline = Date.now() + remaining * 1000;
    this.el.hidden = false;
    this.draw();
  };
  Countdown.prototype.draw = function () {
    if (this.deadline === null) { return; }
    var left = Math.max(0, Math.ceil((this.deadline - Date.now()) / 1000));
    var text = String(left);
    if (this.el.textContent !== text) { this.el.textContent = text; }
    this.el.classList.toggle("is-over", left === 0);
  };

  function child(parent, selector, tag, className, attribute) {
    var el = parent.querySelector(selector);
    if (!el) {
      el = document.createElement(tag);
      el.className = className;
      el.setAttribute(attribute, "");
      parent.appendChild(el);
    }
    return el;
  }

  // ------------------------------------------------------------------ the scoreboard
  function startBoard(board) {
    var container = board.querySelector("[data-teams]");
    var roundEl = board.querySelector("[data-round]");
    var order = board.getAttribute("data-order") || "stage";
    var totals = {};
    container.querySelectorAll("[data-team-id]").forEach(function (el) {
      totals[el.getAttribute("data-team-id")] = Number(el.querySelector("[data-total]").textContent);
    });

    function teamElement(team) {
      var el = container.querySelector('[data-team-id="' + team.id + '"]');
      if (!el) {
        el = document.createElement("div");
        el.className = "team";
        el.setAttribute("data-team-id", String(team.id));
      }
      child(el, "[data-rank]", "div", "rank", "data-rank");
      child(el, "[data-name]", "div", "name", "data-name");
      child(el, "[data-org]", "div", "org", "data-org");
      child(el, "[data-total]", "div", "total", "data-total");
      return el;
    }

    function highlight(el, delta) {
      var mark = child(el, "[data-delta]", "div", "delta", "data-delta");
      mark.textContent = (delta > 0 ? "+" : "") + delta;
      mark.className = "delta " + (delta > 0 ? "up" : "down");
      el.classList.remove("changed-up", "changed-down");
      el.classList.add(delta > 0 ? "changed-up" : "changed-down");
      window.clearTimeout(el._contestTimer);
      el._contestTimer = window.setTimeout(function () {
        el.classList.remove("changed-up", "changed-down");
        mark.textContent = "";
      }, HIGHLIGHT_MS);
    }

    function render(data) {
      roundEl.textContent = data.round || "";
      var teams = data.teams.slice();
      if (order === "stage") {
        teams.sort(function (a, b) { return a.position - b.position; });
      }
      var keep = {};
      teams.forEach(function (team) {
        var el = teamElement(team);
        keep[team.id] = true;
        el.querySelector("[data-rank]").textContent = "第 " + team.rank + " 名";
        el.querySelector("[data-name]").textContent = team.name;
        el.querySelector("[data-org]").textContent = team.organization || "";
        el.querySelector("[data-total]").textContent = String(team.total);
        el.classList.toggle("is-first", team.rank === 1);
        var before = totals[team.id];
        if (before !== undefined && before !== team.total) { highlight(el, team.total - before); }
        totals[team.id] = team.total;
        container.appendChild(el); // moves it into the order of the data
      });
      container.querySelectorAll("[data-team-id]").forEach(function (el) {
        if (!keep[el.getAttribute("data-team-id")]) { el.remove(); }
      });
    }

    poll(board.getAttribute("data-url"), render, board.querySelector("[data-status]"));
  }

  // ------------------------------------------------------------------ the projector
  function startScreen(screen) {
    var main = screen.querySelector("[data-question]");
    var roundEl = screen.querySelector("[data-round]");
    var countdownEl = screen.querySelector("[data-countdown]");
    var countdown = countdownEl ? new Countdown(countdownEl) : null;
    var shownId = main.getAttribute("data-question-id") || "";

    function drawQuestion(q) {
      main.textContent = "";
      if (!q) {
        var waiting = document.createElement("p");
        waiting.className = "waiting";
        waiting.textContent = "请等待主持人出题";
        main.appendChild(waiting);
        return;
      }
      var stem = document.createElement("p");
      stem.className = "stem";
      stem.setAttribute("data-stem", "");
      stem.textContent = q.stem;
      main.appendChild(stem);
      if (q.options.length) {
        var list = document.createElement("ol");
        list.className = "options";
        list.setAttribute("data-options", "");
        q.options.forEach(function (option) {
          var item = document.createElement("li");
          var letter = document.createElement("span");
          letter.className = "letter";
          letter.textContent = option.letter;
          item.appendChild(letter);
          item.appendChild(document.createTextNode(option.text));
          list.appendChild(item);
        });
        main.appendChild(list);
      }
    }

    function render(data) {
      var q = data.question;
      var id = q ? String(q.id) : "";
      roundEl.textContent = "";
      if (q) {
        roundEl.appendChild(document.createTextNode(q.round));
        var small = document.createElement("small");
        small.textContent = "第 " + q.position + " 题 · " + q.type;
        roundEl.appendChild(small);
      }
      if (id !== shownId) {
        drawQuestion(q);
        shownId = id;
        main.setAttribute("data-question-id", id);
      }
      if (countdown) { countdown.set(q ? q.remaining : null); }
    }

    poll(screen.getAttribute("data-url"), render, screen.querySelector("[data-status]"));
  }

  var board = document.querySelector("[data-contest-board]");
  if (board) { startBoard(board); }
  var screen = document.querySelector("[data-contest-screen]");
  if (screen) {
    startScreen(screen);
  } else {
    // The host's console: countdowns that only tick (the page reloads after every action).
    document.querySelectorAll("[data-countdown]").forEach(function (el) { return new Countdown(el); });
  }
})();
