/* Dialogs (native <dialog>, modal): the focus stays inside (Tab and Shift+Tab go
   round), Escape closes, and the focus goes back to what opened it. Every dialog has
   a page that does the same without JavaScript:
   - [data-confirm="<dialog id>"] on a button: asks first (the red cross of a trip);
     the dialog's POST form gets the button's data-confirm-action, its
     [data-confirm-slot] the button's data-confirm-text. Without JavaScript the button
     opens the confirmation page.
   - a[data-page-dialog], and the rows of [data-page-dialog-rows]: the linked page's
     [data-dialog-content] shown in a dialog (the mission's details, "Ajouter
     compétence"); without JavaScript (or if it cannot be read) the page itself.
   - dialog[data-modal-on-load]: open in the page without JavaScript, made modal here.
   [data-dialog-close] closes its dialog; [data-dialog-close-after] (a link) closes it
   once followed (the PDF download of "OK"). */
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden])," +
    " select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function focusables(dialog) {
    return Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.getClientRects().length > 0;
    });
  }

  function open(dialog, returnTo) {
    if (dialog.open) { dialog.close(); }
    dialog.showModal();
    dialog.addEventListener("close", function onClose() {
      if (dialog.open) { return; }  // the close of its static state, queued before
      dialog.removeEventListener("close", onClose);
      if (returnTo && document.contains(returnTo)) { returnTo.focus(); }
      if (dialog.hasAttribute("data-temporary")) { dialog.remove(); }
    });
  }

  // Tab and Shift+Tab go round inside an open dialog.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var dialog = event.target.closest && event.target.closest("dialog[open]");
    if (!dialog) { return; }
    var items = focusables(dialog);
    if (!items.length) { return; }
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  function closeLabel(trigger) {
    var holder = trigger && trigger.closest("[data-close-label]");
    return (holder && holder.getAttribute("data-close-label")) || "Fermer";
  }

  function openPage(url, trigger) {
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var content = page.querySelector("[data-dialog-content]");
      if (!content) { throw new Error("no dialog content"); }
      content.querySelectorAll("[data-dialog-omit]").forEach(function (el) { el.remove(); });
      var dialog = document.createElement("dialog");
      dialog.className = "imagin-dialog imagin-page-dialog";
      dialog.setAttribute("data-temporary", "");
      var body = document.importNode(content, true);
      var heading = body.querySelector("h1, h2");
      if (heading) {
        heading.id = heading.id || "imagin-page-dialog-title";
        dialog.setAttribute("aria-labelledby", heading.id);
      }
      dialog.appendChild(body);
      var buttons = document.createElement("p");
      buttons.className = "imagin-dialog-buttons";
      var close = document.createElement("button");
      close.type = "button";
      close.className = "btn btn-default";
      close.setAttribute("data-dialog-close", "");
      close.textContent = closeLabel(trigger);
      buttons.appendChild(close);
      dialog.appendChild(buttons);
      document.body.appendChild(dialog);
      document.dispatchEvent(new CustomEvent("imagin:content", { detail: dialog }));
      open(dialog, trigger);
      var first = focusables(dialog).filter(function (el) {
        return el.matches("input, select, textarea");
      })[0];
      (first || close).focus();
    }).catch(function () { window.location.assign(url); });
  }

  // Capture: before the shell's "a click on a row opens its detail".
  document.addEventListener("click", function (event) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    var target = event.target;
    if (!target.closest) { return; }
    var confirm = target.closest("[data-confirm]");
    if (confirm) {
      var dialog = document.getElementById(confirm.getAttribute("data-confirm"));
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      event.preventDefault();
      var form = dialog.querySelector("form[method=post]");
      form.setAttribute("action", confirm.getAttribute("data-confirm-action"));
      var slot = dialog.querySelector("[data-confirm-slot]");
      if (slot) { slot.textContent = confirm.getAttribute("data-confirm-text") || ""; }
      open(dialog, confirm);
      return;
    }
    var link = target.closest("a[data-page-dialog]");
    var row = target.closest("[data-page-dialog-rows] tr[data-href]");
    if (row) {
      var inner = target.closest("a, button, input, select, textarea, label");
      if (inner && !(inner.tagName === "A" && inner.getAttribute("href") === row.getAttribute("data-href"))) {
        row = null;
      }
    }
    if (link || row) {
      event.preventDefault();
      event.stopPropagation();
      var url = link ? link.getAttribute("href") : row.getAttribute("data-href");
      openPage(url, link || row.querySelector("a[href]") || row);
      return;
    }
    var closer = target.closest("[data-dialog-close]");
    if (closer && closer.closest("dialog")) {
      event.preventDefault();
      closer.closest("dialog").close();
      return;
    }
    var after = target.closest("[data-dialog-close-after]");
    if (after && after.closest("dialog")) {
      var owner = after.closest("dialog");
      window.setTimeout(function () { owner.close(); }, 0);
    }
  }, true);

  document.querySelectorAll("dialog[data-modal-on-load]").forEach(function (dialog) {
    if (typeof dialog.showModal !== "function") { return; }
    var back = document.getElementById(dialog.getAttribute("data-return-focus") || "");
    open(dialog, back);
  });
}());
