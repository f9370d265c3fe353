// A "select all" checkbox: <input type="checkbox" data-check-all="group"> ticks every
// <input type="checkbox" data-check-group="group"> (no inline handlers: the CSP forbids them).
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (master) {
    var group = master.getAttribute("data-check-all");
    var boxes = document.querySelectorAll('[data-check-group="' + group + '"]');
    master.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = master.checked; });
    });
  });
})();
