// A job's page follows its job: poll the JSON once a second until the job ends. The URLs and the
// Chinese texts come from data attributes, because the CSP forbids inline scripts.
(function () {
  "use strict";

  var box = document.querySelector("[data-job]");
  if (!box || box.getAttribute("data-finished") === "1") {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var part = function (name) { return box.querySelector("[data-job-" + name + "]"); };
  var ended = { done: "bg-success", failed: "bg-danger", cancelled: "bg-secondary" };
  var failures = 0;

  function show(job) {
    var bar = part("bar");
    bar.style.width = job.percent + "%";
    bar.textContent = job.percent + "%";
    part("progress").setAttribute("aria-valuenow", job.percent);
    part("status").textContent = job.status_label;
    part("count").textContent = job.total ? job.progress + " / " + job.total : "";
    part("message").textContent = job.message || "";
    if (job.error) {
      part("error").textContent = job.error;
      part("error").hidden = false;
    }
    if (job.finished) {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      if (ended[job.status]) {
        bar.classList.add(ended[job.status]);
      }
      part("cancel").hidden = true;
      if (job.download_url) {
        part("download").href = job.download_url;
        part("download-name").textContent = job.download_name || "";
        part("download").hidden = false;
      }
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // An expired login is answered with the login page: that is not JSON and counts as a failure.
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        show(job);
        if (!job.finished) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, 3000);
        } else {
          part("status").textContent = box.getAttribute("data-lost-text");
        }
      });
  }

  window.setTimeout(poll, 1000);
})();
