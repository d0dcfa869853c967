/* The list component: the keyword filter narrows the rows as one types; sort and
   page links refresh the list in place. The server renders the list fragment (header
   X-Imagin-Fragment), so filtering, sorting and pages behave exactly as without JS.
   After a filter the new line count is announced (polite live region); after a sort
   or a page link the focus goes back to the same link in the new list. */
(function () {
  "use strict";
  var timers = {};
  var pending = {};

  // The link of the new list that stands where the followed one stood: the sorted
  // column's header, or the same pager link (else the first pager link left).
  function sameLink(fresh, link) {
    var key = link.getAttribute("data-sort-key");
    if (key) { return fresh.querySelector('[data-sort-key="' + CSS.escape(key) + '"]'); }
    var label = link.getAttribute("aria-label");
    return (label && fresh.querySelector('a[aria-label="' + CSS.escape(label) + '"]')) ||
      fresh.querySelector(".imagin-pager a");
  }

  function refresh(listId, url, focusFilter, link) {
    var container = document.getElementById(listId);
    if (!container) { return; }
    if (pending[listId]) { pending[listId].abort(); }
    var controller = new AbortController();
    pending[listId] = controller;
    var input = container.querySelector("[data-list-filter]");
    var caret = input && document.activeElement === input ? input.selectionStart : null;
    fetch(url, {
      headers: { "X-Imagin-Fragment": listId },
      credentials: "same-origin",
      signal: controller.signal
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#" + CSS.escape(listId));
      if (!fresh) { window.location.assign(url); return; }
      container.replaceWith(fresh);
      window.history.replaceState(null, "", url);
      if (link) {
        var again = sameLink(fresh, link);
        if (again) { again.focus(); }
      }
      if (focusFilter && window.imagin && window.imagin.announce) {
        window.imagin.announce(fresh.getAttribute("data-count-label"));
      }
      if (focusFilter || caret !== null) {
        var newInput = fresh.querySelector("[data-list-filter]");
        if (newInput) {
          newInput.focus();
          var pos = caret !== null ? caret : newInput.value.length;
          newInput.setSelectionRange(pos, pos);
        }
      }
    }).catch(function (error) {
      if (error.name !== "AbortError") { window.location.assign(url); }
    });
  }

  function filterUrl(input) {
    var form = input.form;
    var params = new URLSearchParams(new FormData(form));
    var url = new URL(window.location.href);
    url.search = params.toString();
    return url.toString();
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    var listId = input.getAttribute && input.getAttribute("data-list-filter");
    if (!listId) { return; }
    window.clearTimeout(timers[listId]);
    timers[listId] = window.setTimeout(function () { refresh(listId, filterUrl(input), true); }, 200);
  });

  document.addEventListener("submit", function (event) {
    var input = event.target.querySelector && event.target.querySelector("[data-list-filter]");
    if (!input) { return; }
    event.preventDefault();
    refresh(input.getAttribute("data-list-filter"), filterUrl(input), true);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-list-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    refresh(link.getAttribute("data-list-link"), link.href, false, link);
  });
}());
