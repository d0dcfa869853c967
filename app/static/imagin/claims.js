// Travel line form: show the car fields (kilometres, trips) and the miscellaneous
// expenses only for the modes they belong to. Without JavaScript every field shows.
(function () {
  "use strict";
  var select = document.querySelector("[data-transport-mode]");
  if (!select) { return; }
  function refresh() {
    document.querySelectorAll("[data-show-for]").forEach(function (block) {
      var modes = block.getAttribute("data-show-for").split(" ");
      block.hidden = modes.indexOf(select.value) === -1;
    });
  }
  select.addEventListener("change", refresh);
  refresh();
})();

// Nothing typed is lost: another tab clicked after typing in the tab's form posts the
// form with go=<tab> (saved, then that tab; an error comes back in the form). When
// the form shows errors (not saved), a dialog warns before leaving the tab.
(function () {
  "use strict";
  var form = document.querySelector("form[data-keep-typed]");
  if (!form) { return; }
  function snapshot(of) {
    return new URLSearchParams(new FormData(of || form)).toString();
  }
  // What the page came with (the fields' defaults, not their values now): typing done
  // before this script ran still counts as typed.
  var pristine = form.cloneNode(true);
  pristine.reset();
  var initial = snapshot(pristine);
  var unsaved = form.hasAttribute("data-has-errors");
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".imagin-tabs a[href]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    if (link.getAttribute("aria-current") === "page") { return; }
    var dialog = document.getElementById("leave-dialog");
    if (unsaved && snapshot() === initial && dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      dialog.querySelector("[data-leave-link]").setAttribute("href", link.getAttribute("href"));
      dialog.showModal();
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        link.focus();
      });
      return;
    }
    if (snapshot() === initial && !unsaved) { return; }
    event.preventDefault();
    var go = document.createElement("input");
    go.type = "hidden";
    go.name = "go";
    go.value = link.getAttribute("href").split("/").pop();  // the tab's key ends its URL
    form.appendChild(go);
    form.setAttribute("data-submitting", "");
    form.submit();
  });
  form.setAttribute("data-keep-typed-ready", "");
})();

// Nothing typed is lost, whatever link leaves the page (menu, « Retour », header): a
// claim form with typing not saved (or shown back with its errors) makes the browser
// ask before leaving. Sending the form, « Annuler » and the tabs' own dialog don't.
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-warn-unsaved]"));
  if (!forms.length) { return; }
  function snapshot(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }
  var initial = forms.map(function (form) {
    var pristine = form.cloneNode(true);
    pristine.reset();
    return snapshot(pristine);
  });
  var leaving = false;
  var sent = null;  // the last form sent: leaving through it is no loss, unless prevented
  document.addEventListener("submit", function (event) {
    if (event.target.getAttribute("method") !== "dialog") { sent = event; }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-discard], [data-leave-link]")) {
      leaving = true;
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || (sent && !sent.defaultPrevented)) { return; }
    var dirty = forms.some(function (form, index) {
      if (form.hasAttribute("data-submitting")) { return false; }
      return form.hasAttribute("data-has-errors") || snapshot(form) !== initial[index];
    });
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to ask
    }
  });
  forms.forEach(function (form) { form.setAttribute("data-warn-unsaved-ready", ""); });
})();

// The mission header's details, shown or hidden ("Détails de la mission"); the choice
// stays for the session's other claim pages. Without JavaScript they always show.
(function () {
  "use strict";
  var button = document.querySelector("[data-details-toggle]");
  if (!button) { return; }
  var details = document.getElementById(button.getAttribute("aria-controls"));
  var KEY = "imagin.missionDetails";
  function apply(shown) {
    details.hidden = !shown;
    button.setAttribute("aria-expanded", shown ? "true" : "false");
  }
  var stored = null;
  try { stored = window.sessionStorage.getItem(KEY); } catch (error) { stored = null; }
  apply(stored !== "hidden");
  button.hidden = false;
  button.addEventListener("click", function () {
    var shown = button.getAttribute("aria-expanded") !== "true";
    apply(shown);
    try { window.sessionStorage.setItem(KEY, shown ? "shown" : "hidden"); } catch (error) { /* private mode */ }
  });
})();
