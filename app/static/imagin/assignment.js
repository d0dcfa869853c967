/* The page of an automatic assignment. While its job runs (proposal or convocations):
   every 2 s the page is read again in the background; its progress bar and text are
   updated in place (aria-live), and once the job is over (no progress on the page
   read) the page is reloaded to show the result. Without JavaScript the page offers a
   "Refresh" link. */
(function () {
  "use strict";
  /* « Remplacer » opens the page with the list of the eligible contributors (no fragment in
     its address: a browser moves the focus back to the document when it scrolls to a
     fragment, possibly after this script has run). The focus goes to the list, which
     scrolls it into view; autofocus does the same without this script. */
  var chosen = document.querySelector("select[autofocus]");
  if (chosen && document.activeElement !== chosen) {
    chosen.focus();
  }
})();

(function () {
  "use strict";
  var progress = document.getElementById("run-progress");
  if (!progress || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = window.location.href.split("#")[0];

  function update(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var next = page.getElementById("run-progress");
    if (!next) {
      window.location.reload();
      return false;
    }
    var bar = document.getElementById("run-progress-bar");
    var nextBar = page.getElementById("run-progress-bar");
    ["aria-valuenow", "aria-valuemax", "aria-valuetext", "style"].forEach(function (name) {
      bar.setAttribute(name, nextBar.getAttribute(name) || "");
    });
    var text = document.getElementById("run-progress-text");
    var nextText = page.getElementById("run-progress-text");
    if (text.textContent !== nextText.textContent) {
      text.textContent = nextText.textContent;
    }
    return true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (update(html)) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        /* The "Refresh" link stays. */
      });
  }
  window.setTimeout(poll, 2000);
})();
