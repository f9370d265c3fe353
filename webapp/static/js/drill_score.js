// Drill score sheet: a running total under the items as scores are typed (the server computes
// the saved total and grade; this only helps while filling in).
(function () {
  "use strict";
  var sheet = document.querySelector("[data-score-sheet]");
  if (!sheet) {
    return;
  }
  var out = sheet.querySelector("[data-score-total]");
  var inputs = sheet.querySelectorAll("[data-score]");
  var update = function (event) {
    var total = 0;
    var missing = 0;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      var max = parseInt(input.getAttribute("data-max"), 10);
      if (isNaN(value)) {
        missing += 1;
        return;
      }
      if (event && event.target === input) {  // the server's marks stay until the field is changed
        input.classList.toggle("is-invalid", value < 0 || value > max);
      }
      total += value;
    });
    out.textContent = "当前合计 " + total + " / " + out.getAttribute("data-of") + " 分" +
      (missing ? "（尚有 " + missing + " 项未打分）" : "");
    out.hidden = false;
  };
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
