/* The job page: polls the job's state every 2 s until it is finished, and updates
   the progress bar, its text (aria-live) and the result link without reloading.
   Without JavaScript the page offers a "Refresh" link instead. */
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var url = section.dataset.statusUrl;
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");
  var state = document.getElementById("job-state");
  var attempts = document.getElementById("job-attempts");
  var message = document.getElementById("job-message");
  var file = document.getElementById("job-file");
  var refresh = document.getElementById("job-refresh");
  refresh.hidden = true;

  function show(status) {
    state.textContent = status.state_label;
    attempts.textContent = status.attempts;
    if (status.total) {
      bar.max = status.total;
      bar.value = status.state === "done" ? status.total : status.progress;
    } else if (status.finished) {
      bar.max = 100;
      bar.value = 100;
    } else {
      bar.removeAttribute("value");
    }
    text.textContent = status.progress_text;
    message.textContent = status.message;
    message.className = "imagin-job-message" + (status.state === "failed" ? " text-danger" : "");
    file.hidden = !status.has_file;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (!status.finished) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        refresh.hidden = false;
      });
  }
  window.setTimeout(poll, 2000);
})();
