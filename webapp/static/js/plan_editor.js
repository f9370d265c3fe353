// Plan pages: the section editor (a contenteditable area whose HTML is copied into the form's
// textarea on submit; without this script the textarea itself is the editor) and the plan
// form's owner → kind and hazard → subtype filtering. No inline handlers: the CSP forbids them.
(function () {
  "use strict";

  // ------------------------------------------------------------------ section editor
  var form = document.querySelector("[data-plan-editor]");
  if (form) {
    var area = form.querySelector("[data-editor-area]");
    var source = form.querySelector("[data-editor-source]");
    var toolbar = form.querySelector("[data-editor-toolbar]");
    var fallback = form.querySelector("[data-editor-fallback]");

    area.hidden = false;
    toolbar.hidden = false;
    source.hidden = true;
    if (fallback) { fallback.hidden = true; }
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers */ }

    var cellOf = function (node) {
      while (node && node !== area) {
        if (node.nodeName === "TD" || node.nodeName === "TH") { return node; }
        node = node.parentNode;
      }
      return null;
    };
    var selectionNode = function () {
      var sel = window.getSelection();
      return sel && sel.rangeCount ? sel.getRangeAt(0).startContainer : null;
    };
    var insertNode = function (node) {
      var sel = window.getSelection();
      if (!sel || !sel.rangeCount || !area.contains(sel.getRangeAt(0).startContainer)) {
        area.appendChild(node);
        return;
      }
      var range = sel.getRangeAt(0);
      var block = range.startContainer;
      while (block && block.parentNode !== area) { block = block.parentNode; }
      if (block && block !== area) {
        block.parentNode.insertBefore(node, block.nextSibling);
      } else {
        area.appendChild(node);
      }
    };
    var makeTable = function (rows, cols) {
      var table = document.createElement("table");
      for (var r = 0; r < rows; r++) {
        var tr = document.createElement("tr");
        for (var c = 0; c < cols; c++) {
          var cell = document.createElement(r === 0 ? "th" : "td");
          cell.appendChild(document.createElement("br"));
          tr.appendChild(cell);
        }
        table.appendChild(tr);
      }
      return table;
    };

    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      area.focus();
      if (button.hasAttribute("data-block")) {
        document.execCommand("formatBlock", false, "<" + button.getAttribute("data-block") + ">");
      } else if (button.hasAttribute("data-command")) {
        document.execCommand(button.getAttribute("data-command"), false, null);
      } else if (button.getAttribute("data-table") === "insert") {
        var answer = window.prompt(button.getAttribute("data-prompt"), "3×4");
        if (answer === null) { return; }
        var match = /^\s*(\d+)\s*[×xX*,，]\s*(\d+)\s*$/.exec(answer);
        var rows = match ? parseInt(match[1], 10) : 0;
        var cols = match ? parseInt(match[2], 10) : 0;
        if (rows < 1 || cols < 1 || rows > 100 || cols > 20) {
          window.alert(button.getAttribute("data-invalid"));
          return;
        }
        insertNode(makeTable(rows, cols));
      } else if (button.getAttribute("data-table") === "row") {
        var cell = cellOf(selectionNode());
        if (!cell) {
          window.alert(button.getAttribute("data-missing"));
          return;
        }
        var row = cell.parentNode;
        var copy = document.createElement("tr");
        for (var i = 0; i < row.children.length; i++) {
          var td = document.createElement("td");
          var span = row.children[i].getAttribute("colspan");
          if (span) { td.setAttribute("colspan", span); }
          td.appendChild(document.createElement("br"));
          copy.appendChild(td);
        }
        row.parentNode.insertBefore(copy, row.nextSibling);
      }
    });

    form.addEventListener("submit", function () {
      source.value = area.innerHTML;
    });
  }

  // ------------------------------------------------------------------ plan registry form
  var planForm = document.querySelector("[data-plan-form]");
  if (planForm) {
    var owner = planForm.querySelector("select[name=organization_id]");
    var kind = planForm.querySelector("select[name=kind]");
    var hazard = planForm.querySelector("select[name=hazard]");
    var subtype = planForm.querySelector("select[name=hazard_subtype]");

    // An enterprise writes 综合/专项/现场处置方案; everyone else the government kinds (2019 办法;
    // 国办发〔2024〕5号). The server checks the same rule; this only saves a wasted submit.
    var syncKinds = function () {
      var chosen = owner.options[owner.selectedIndex];
      var flag = chosen ? chosen.getAttribute("data-enterprise") : null;
      kind.querySelectorAll("option").forEach(function (option) {
        if (!option.value) { return; }
        var enterpriseKind = option.value.indexOf("ent_") === 0;
        option.disabled = flag !== null && (flag === "1") !== enterpriseKind;
      });
      var current = kind.options[kind.selectedIndex];
      if (current && current.disabled) { kind.value = ""; }
    };
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
    owner.addEventListener("change", syncKinds);
    hazard.addEventListener("change", syncSubtypes);
    syncKinds();
    syncSubtypes();
  }
})();
