/* IMAG'IN screen shell: accessibility settings, widen button, clickable list rows,
   focus after a page load (first field in error, back to the upload area) and the
   polite live region other scripts announce through (window.imagin.announce).
   Loaded in <head>: settings are applied before the page is painted. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("imagin-js");
  var store = {
    get: function (area, key) { try { return window[area].getItem(key); } catch (e) { return null; } },
    set: function (area, key, value) { try { window[area].setItem(key, value); } catch (e) { /* private mode */ } },
    del: function (area, key) { try { window[area].removeItem(key); } catch (e) { /* private mode */ } }
  };

  function applySettings() {
    var scale = parseFloat(store.get("localStorage", "imagin.font") || "1");
    if (!(scale >= 0.8 && scale <= 1.6)) { scale = 1; }
    root.style.setProperty("--imagin-font-scale", String(scale));
    root.classList.toggle("imagin-contrast", store.get("localStorage", "imagin.contrast") === "1");
    root.classList.toggle("imagin-spacing", store.get("localStorage", "imagin.spacing") === "1");
    root.classList.toggle("imagin-justify", store.get("localStorage", "imagin.justify") === "1");
    root.classList.toggle("imagin-widened", store.get("sessionStorage", "imagin.widened") === "1");
  }
  applySettings();

  function syncPressed() {
    var pairs = [["contrast", "imagin-contrast"], ["spacing", "imagin-spacing"], ["justify", "imagin-justify"]];
    pairs.forEach(function (pair) {
      var button = document.querySelector('[data-a11y="' + pair[0] + '"]');
      if (button) { button.setAttribute("aria-pressed", String(root.classList.contains(pair[1]))); }
    });
    var widen = document.getElementById("imagin-widen");
    if (widen) { widen.setAttribute("aria-pressed", String(root.classList.contains("imagin-widened"))); }
  }

  // The polite live region of the layout (#imagin-live): a message put there is read
  // by screen readers without moving the focus.
  function announce(text) {
    var live = document.getElementById("imagin-live");
    if (!live || !text) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 100);
  }
  window.imagin = window.imagin || {};
  window.imagin.announce = announce;

  function visible(element) {
    return !element.disabled && element.type !== "hidden" && element.getClientRects().length > 0;
  }

  // A select turned into a select2 widget is hidden: its focusable box stands for it.
  function focusable(element) {
    if (element.classList.contains("select2-hidden-accessible") && element.nextElementSibling) {
      return element.nextElementSibling.querySelector(".select2-selection") || element;
    }
    return element;
  }

  // After a failed submit the page comes back with its errors next to the fields: the
  // focus goes to the first field in error (its label and its message are read, the
  // message being in its aria-describedby) and the live region says the form has errors.
  function focusFirstError() {
    var main = document.getElementById("imagin-content");
    if (!main) { return false; }
    var fields = main.querySelectorAll('[aria-invalid="true"], .has-error input, .has-error select, .has-error textarea');
    for (var i = 0; i < fields.length; i += 1) {
      var target = focusable(fields[i]);
      if (target === fields[i] && !visible(target)) { continue; }
      target.focus();
      var live = document.getElementById("imagin-live");
      announce(live && live.getAttribute("data-form-errors"));
      return true;
    }
    return false;
  }

  // A form marked data-return-focus="<id>" (the document uploads) brings the focus back
  // to that element on the page it leads to, and the console's messages (its result)
  // are announced.
  var RETURN_KEY = "imagin.return-focus";
  function returnFocus() {
    var stored = store.get("sessionStorage", RETURN_KEY);
    store.del("sessionStorage", RETURN_KEY);
    if (!stored) { return; }
    var target = document.getElementById(stored);
    if (!target) { return; }
    var details = target.closest("details");
    if (details && target.tagName !== "SUMMARY") { details.open = true; }
    target.focus();
    var messages = document.querySelectorAll("#imagin-console .imagin-console-messages li:not(.console-muted)");
    announce(Array.prototype.map.call(messages, function (item) {
      return item.textContent.replace(/\s+/g, " ").trim();
    }).join(" "));
  }
  document.addEventListener("submit", function (event) {
    var id = event.target.getAttribute && event.target.getAttribute("data-return-focus");
    if (id) { store.set("sessionStorage", RETURN_KEY, id); }
  });

  // Idle warning: the server ends a session after the idle delay; a dialog offers to
  // stay connected a few minutes before (each page load starts the count again).
  function idleWarning() {
    var body = document.body;
    var idle = parseFloat(body.getAttribute("data-idle-minutes"));
    var warning = parseFloat(body.getAttribute("data-warning-minutes"));
    var dialog = document.getElementById("imagin-timeout");
    if (!(idle > 0) || !dialog) { return; }
    var warnTimer, endTimer;
    // "Quitter" is a form (POST with the CSRF token): leaving submits it. At the end
    // of the idle delay it says why (reason=idle): the login page tells the user.
    function quit(reason) {
      var form = document.getElementById("imagin-logout");
      if (!form) { window.location.reload(); return; }
      if (reason) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "reason";
        field.value = reason;
        form.appendChild(field);
      }
      form.submit();
    }
    function stay() {
      var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
      fetch(body.getAttribute("data-keepalive-url"), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }
      }).then(function (response) {
        if (response.status === 204) { if (dialog.open) { dialog.close(); } arm(); } else { window.location.reload(); }
      });
    }
    function arm() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warnTimer = window.setTimeout(function () {
        if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
      }, Math.max(0, idle - warning) * 60000);
      endTimer = window.setTimeout(function () { quit("idle"); }, idle * 60000);
    }
    dialog.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-session");
      if (action === "quit") { quit(); }
      if (action === "stay") { stay(); }
    });
    // Escape does not dismiss the warning silently: it means "stay connected".
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      stay();
    });
    arm();
  }

  // After the load: a fragment in the URL (#documents) moves the browser's focus
  // point at that time, which would undo an earlier focus().
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (!focusFirstError()) { returnFocus(); }
    }, 0);
  });

  document.addEventListener("DOMContentLoaded", function () {
    idleWarning();
    syncPressed();
    var toggle = document.getElementById("imagin-a11y-toggle");
    var panel = document.getElementById("imagin-a11y");
    if (toggle && panel) {
      toggle.addEventListener("click", function () {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
      });
    }
    // "Mot de passe oublié ?" carries the identifier typed so far on the login page.
    var forgot = document.querySelector("a[data-identifier-from]");
    var identifier = forgot && document.getElementById(forgot.getAttribute("data-identifier-from"));
    if (forgot && identifier) {
      var carry = function () {
        var url = new URL(forgot.href, window.location.href);
        var typed = identifier.value.trim().slice(0, 128);
        if (typed) { url.searchParams.set("identifiant", typed); } else { url.searchParams.delete("identifiant"); }
        forgot.href = url.pathname + url.search;
      };
      identifier.addEventListener("input", carry);
      carry();
    }
    // The menu of activities folds behind its button on a narrow screen (CSS decides
    // when the button shows); Escape folds it back and returns to the button.
    var menuToggle = document.getElementById("imagin-menu-toggle");
    var menuEntries = document.getElementById("imagin-menu-entries");
    if (menuToggle && menuEntries) {
      menuToggle.addEventListener("click", function () {
        var open = menuToggle.getAttribute("aria-expanded") !== "true";
        menuToggle.setAttribute("aria-expanded", String(open));
      });
      menuEntries.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menuToggle.getAttribute("aria-expanded") === "true" &&
            window.getComputedStyle(menuToggle).display !== "none") {
          menuToggle.setAttribute("aria-expanded", "false");
          menuToggle.focus();
        }
      });
    }
    document.addEventListener("click", function (event) {
      var a11y = event.target.closest("[data-a11y]");
      if (a11y) {
        var action = a11y.getAttribute("data-a11y");
        var scale = parseFloat(store.get("localStorage", "imagin.font") || "1");
        if (action === "font-up") { store.set("localStorage", "imagin.font", String(Math.min(1.6, scale + 0.1))); }
        if (action === "font-down") { store.set("localStorage", "imagin.font", String(Math.max(0.8, scale - 0.1))); }
        if (action === "contrast" || action === "spacing" || action === "justify") {
          var key = "imagin." + action;
          store.set("localStorage", key, store.get("localStorage", key) === "1" ? "0" : "1");
        }
        if (action === "reset") {
          ["imagin.font", "imagin.contrast", "imagin.spacing", "imagin.justify"].forEach(function (k) { store.del("localStorage", k); });
        }
        applySettings();
        syncPressed();
        return;
      }
      if (event.target.closest("#imagin-widen")) {
        var widened = !root.classList.contains("imagin-widened");
        store.set("sessionStorage", "imagin.widened", widened ? "1" : "0");
        applySettings();
        syncPressed();
        return;
      }
      // A click on a list row opens its detail (links and buttons keep their own job).
      var row = event.target.closest("tr[data-href]");
      if (row && !event.target.closest("a, button, input, label, select, textarea")) {
        window.location.assign(row.getAttribute("data-href"));
      }
    });
  });
}());
