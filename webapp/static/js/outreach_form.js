// Outreach pages: the event form (filtering the places of the chosen venue type, the campaign
// following the date, the quiz link shown with 知识竞赛, "add a row" for materials) and the campaign
// form (the "其他" moment's text box); the photo inputs are js/photo_inputs.js. Everything here is an enhancement: without this script the
// forms work as plain HTML. No inline handlers (CSP).
(function () {
  "use strict";

  // ------------------------------------------------------------------ the place filter
  // The options are kept in a list and put back matching the typed text (in the place's name or
  // its town's); the chosen option always stays, because an option taken out would not be submitted.
  function makeFilterable(select) {
    var loose = [];
    var groups = [];
    Array.prototype.forEach.call(select.children, function (node) {
      if (node.nodeName === "OPTGROUP") {
        groups.push({ element: node, options: Array.prototype.slice.call(node.children) });
      } else {
        loose.push(node);
      }
    });
    return function (text) {
      var query = (text || "").trim().toLowerCase();
      var matches = function (option) {
        return option.selected || !option.value || !query || option.textContent.toLowerCase().indexOf(query) !== -1;
      };
      while (select.firstChild) { select.removeChild(select.firstChild); }
      loose.forEach(function (option) { if (matches(option)) { select.appendChild(option); } });
      groups.forEach(function (group) {
        var townHit = query && group.element.getAttribute("label").toLowerCase().indexOf(query) !== -1;
        var kept = group.options.filter(function (option) { return townHit || matches(option); });
        while (group.element.firstChild) { group.element.removeChild(group.element.firstChild); }
        kept.forEach(function (option) { group.element.appendChild(option); });
        if (kept.length) { select.appendChild(group.element); }
      });
    };
  }

  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    var name = input.getAttribute("data-filter-for");
    var select = document.querySelector("select[name=" + name + "]");
    if (!select) { return; }
    var filter = makeFilterable(select);
    var box = document.querySelector("[data-filter-box=" + name + "]");
    if (box) { box.hidden = false; }
    input.addEventListener("input", function () { filter(input.value); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // filtering, not submitting
    });
  });

  // ------------------------------------------------------------------ the event form
  var form = document.querySelector("[data-outreach-form]");
  if (form) {
    // The campaign follows the date (the one started last that runs on it) until chosen by hand.
    var held = form.querySelector("input[name=held_on]");
    var campaign = form.querySelector("select[name=campaign_id]");
    if (held && campaign) {
      var chosenByHand = false;
      campaign.addEventListener("change", function () { chosenByHand = true; });
      held.addEventListener("change", function () {
        if (chosenByHand || !held.value) { return; }
        var best = null;
        Array.prototype.forEach.call(campaign.options, function (option) {
          var starts = option.getAttribute("data-starts");
          var ends = option.getAttribute("data-ends");
          if (starts && starts <= held.value && held.value <= ends && (!best || starts > best.getAttribute("data-starts"))) {
            best = option;
          }
        });
        campaign.value = best ? best.value : "";
      });
    }

    // The quiz link matters for a 知识竞赛 only.
    var quizBox = form.querySelector("[data-quiz-box]");
    var quiz = form.querySelector("select[name=quiz_id]");
    var contest = form.querySelector("input[name=forms][value='知识竞赛']");
    if (quizBox && quiz && contest) {
      var syncQuiz = function () { quizBox.hidden = !contest.checked && !quiz.value; };
      contest.addEventListener("change", syncQuiz);
      syncQuiz();
    }

    var rows = form.querySelector("[data-materials]");
    var add = form.querySelector("[data-add-material]");
    if (rows && add) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var all = rows.querySelectorAll("[data-material]");
        var copy = all[all.length - 1].cloneNode(true);
        var number = all.length + 1;
        copy.querySelectorAll("input").forEach(function (input) {
          input.value = "";
          var label = input.getAttribute("aria-label");
          if (label) { input.setAttribute("aria-label", label.replace(/\d+/, String(number))); }
        });
        rows.appendChild(copy);
        copy.querySelector("input").focus();
      });
    }
  }

  // ------------------------------------------------------------------ the campaign form
  var campaignForm = document.querySelector("[data-campaign-form]");
  if (campaignForm) {
    var moment = campaignForm.querySelector("select[name=moment]");
    var other = campaignForm.querySelector("[data-moment-other]");
    if (moment && other) {
      var syncMoment = function () { other.hidden = moment.value !== "其他"; };
      moment.addEventListener("change", syncMoment);
      syncMoment();
    }
  }
})();
