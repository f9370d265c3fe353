// Drill pages: the drill form (filtering the long organizer and plan lists, the organizer's own
// plans first, hazard → subtype, "add a row" for the timeline); the photo inputs are
// js/photo_inputs.js. Everything here is an enhancement: without this script the form works as
// plain HTML. No inline handlers (CSP).
(function () {
  "use strict";

  // ------------------------------------------------------------------ filterable selects
  // The select's options are kept in a list and put back matching the typed text; chosen options
  // always stay, because an option taken out of the select would not be submitted.
  var filterable = {};

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
    var state = { query: "" };
    var matches = function (option) {
      return option.selected || !option.value || option.value === "0" || !state.query ||
        option.textContent.toLowerCase().indexOf(state.query) !== -1;
    };
    state.rebuild = function () {
      while (select.firstChild) { select.removeChild(select.firstChild); }
      loose.forEach(function (option) { if (matches(option)) { select.appendChild(option); } });
      groups.forEach(function (group) {
        var groupHit = state.query && group.element.getAttribute("label").toLowerCase().indexOf(state.query) !== -1;
        var kept = group.options.filter(function (option) { return groupHit || matches(option); });
        while (group.element.firstChild) { group.element.removeChild(group.element.firstChild); }
        kept.forEach(function (option) { group.element.appendChild(option); });
        if (kept.length) { select.appendChild(group.element); }
      });
    };
    state.filter = function (text) {
      state.query = (text || "").trim().toLowerCase();
      state.rebuild();
    };
    state.first = function (attribute, value) {
      var index = -1;
      groups.forEach(function (group, i) {
        var original = group.element.getAttribute("data-label") || group.element.getAttribute("label");
        group.element.setAttribute("data-label", original);
        group.element.setAttribute("label", original);
        if (group.element.getAttribute(attribute) === value) { index = i; }
      });
      if (index >= 0) {
        var found = groups.splice(index, 1)[0];
        found.element.setAttribute("label", "本单位：" + found.element.getAttribute("data-label"));
        groups.unshift(found);
      }
      state.rebuild();
    };
    return state;
  }

  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    var name = input.getAttribute("data-filter-for");
    var select = document.querySelector("select[name=" + name + "]");
    if (!select) { return; }
    filterable[name] = makeFilterable(select);
    var box = document.querySelector("[data-filter-box=" + name + "]");
    if (box) { box.hidden = false; }
    input.addEventListener("input", function () { filterable[name].filter(input.value); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // filtering, not submitting
    });
  });

  // ------------------------------------------------------------------ the drill form
  var form = document.querySelector("[data-drill-form]");
  if (form) {
    var organizer = form.querySelector("select[name=organization_id]");
    var industry = form.querySelector("select[name=industry]");
    var hazard = form.querySelector("select[name=hazard]");
    var subtype = form.querySelector("select[name=hazard_subtype]");

    var industryBlank = industry ? industry.querySelector("option[value='']") : null;
    var blankText = industryBlank ? industryBlank.textContent : "";
    var syncOrganizer = function () {
      var chosen = organizer.options[organizer.selectedIndex];
      var own = chosen ? chosen.getAttribute("data-industry") : "";
      if (industryBlank) {
        industryBlank.textContent = own ? "（与组织单位相同：" + own + "）" : blankText;
      }
      if (filterable.plan_ids && organizer.value && organizer.value !== "0") {
        filterable.plan_ids.first("data-org", organizer.value);
      }
    };
    organizer.addEventListener("change", syncOrganizer);
    if (!filterable.plan_ids) {
      var plans = form.querySelector("select[name=plan_ids]");
      if (plans) { filterable.plan_ids = makeFilterable(plans); }
    }
    syncOrganizer();

    var syncSubtypes = function () {
      subtype.querySelectorAll("optgroup").forEach(function (group) {
        var options = group.querySelectorAll("option");
        var show = !hazard.value || (options.length && options[0].getAttribute("data-hazard") === hazard.value);
        group.hidden = !show;
        options.forEach(function (option) { option.disabled = !show; });
      });
      var current = subtype.options[subtype.selectedIndex];
      if (current && current.disabled) { subtype.value = ""; }
    };
    hazard.addEventListener("change", syncSubtypes);
    syncSubtypes();

    var steps = form.querySelector("[data-steps]");
    var add = form.querySelector("[data-add-step]");
    if (steps && add) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var rows = steps.querySelectorAll("[data-step]");
        var copy = rows[rows.length - 1].cloneNode(true);
        var number = rows.length + 1;
        copy.querySelectorAll("input").forEach(function (input) {
          input.value = "";
          var label = input.getAttribute("aria-label");
          if (label) { input.setAttribute("aria-label", label.replace(/\d+/, String(number))); }
        });
        steps.appendChild(copy);
        copy.querySelector("input").focus();
      });
    }
  }
})();
