// Photo inputs of the officers' forms (drills, outreach events; templates/_photo_inputs.html):
// photos shrunk in the browser before they are sent. Loaded by the pages that include the inputs.
(function () {
  "use strict";

  // A phone photo is 3–10 MB; the server keeps 1600 pixels at most anyway. Shrinking here first
  // keeps a dozen photos under the request limit. Anything that cannot be read is sent as it is,
  // and the server says what is wrong with it.
  var canShrink = typeof window.DataTransfer === "function" && typeof window.createImageBitmap === "function" &&
    typeof HTMLCanvasElement.prototype.toBlob === "function";

  function shrink(file, side) {
    if (!/^image\//.test(file.type) || file.type === "image/gif") { return Promise.resolve(file); }
    return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 2 * 1024 * 1024) { bitmap.close(); return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes white, as on the server
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.9);
      });
    }).catch(function () { return file; });
  }

  function megabytes(bytes) { return (bytes / 1024 / 1024).toFixed(1) + " MB"; }

  document.querySelectorAll("[data-photo-box]").forEach(function (box) {
    var side = parseInt(box.getAttribute("data-max-side"), 10) || 1600;
    var note = box.querySelector("[data-photo-note]");
    var owner = box.closest("form");
    var buttons = owner ? owner.querySelectorAll("button[type=submit]") : [];
    var busy = 0;
    var setBusy = function (delta) {
      busy += delta;
      buttons.forEach(function (button) { button.disabled = busy > 0; });
    };
    box.querySelectorAll("[data-photo-input]").forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files || []);
        if (!files.length || !canShrink) { return; }
        setBusy(1);
        if (note) { note.setAttribute("data-text", note.getAttribute("data-text") || note.textContent); note.textContent = "正在压缩 " + files.length + " 张照片…"; }
        Promise.all(files.map(function (file) { return shrink(file, side); })).then(function (shrunk) {
          var transfer = new DataTransfer();
          shrunk.forEach(function (file) { transfer.items.add(file); });
          input.files = transfer.files;
          var before = files.reduce(function (sum, f) { return sum + f.size; }, 0);
          var after = shrunk.reduce(function (sum, f) { return sum + f.size; }, 0);
          if (note) { note.textContent = "已选择 " + shrunk.length + " 张照片（" + megabytes(before) + " 压缩为 " + megabytes(after) + "）。" + note.getAttribute("data-text"); }
        }).catch(function () {
          if (note) { note.textContent = note.getAttribute("data-text"); }
        }).then(function () { setBusy(-1); });
      });
    });
  });
})();
