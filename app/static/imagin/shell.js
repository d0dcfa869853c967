/* IMAG'IN screen shell: accessibility settings, widen button, clickable list rows.
   Loaded in <head>: settings are applied before the page is painted. */
(function () {
  "use strict";
  var root = document.documentElement;
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
    root.classList.toggle("imagin-widened", store.get("sessionStorage", "imagin.widened") === "1");
  }
  applySettings();

  function syncPressed() {
    var pairs = [["contrast", "imagin-contrast"], ["spacing", "imagin-spacing"]];
    pairs.forEach(function (pair) {
      var button = document.querySelector('[data-a11y="' + pair[0] + '"]');
      if (button) { button.setAttribute("aria-pressed", String(root.classList.contains(pair[1]))); }
    });
    var widen = document.getElementById("imagin-widen");
    if (widen) { widen.setAttribute("aria-pressed", String(root.classList.contains("imagin-widened"))); }
  }

  // Idle warning: the server ends a session after the idle delay; a dialog offers to
  // stay connected a few minutes before (each page load starts the count again).
  function idleWarning() {
    var body = document.body;
    var idle = parseFloat(body.getAttribute("data-idle-minutes"));
    var warning = parseFloat(body.getAttribute("data-warning-minutes"));
    var dialog = document.getElementById("imagin-timeout");
    if (!(idle > 0) || !dialog) { return; }
    var warnTimer, endTimer;
    // "Quitter" is a form (POST with the CSRF token): leaving submits it.
    function quit() {
      var form = document.getElementById("imagin-logout");
      if (form) { form.submit(); } else { window.location.reload(); }
    }
    function arm() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warnTimer = window.setTimeout(function () {
        if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
      }, Math.max(0, idle - warning) * 60000);
      endTimer = window.setTimeout(quit, idle * 60000);
    }
    dialog.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-session");
      if (action === "quit") { quit(); }
      if (action !== "stay") { return; }
      var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
      fetch(body.getAttribute("data-keepalive-url"), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }
      }).then(function (response) {
        if (response.status === 204) { dialog.close(); arm(); } else { window.location.reload(); }
      });
    });
    arm();
  }

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
    document.addEventListener("click", function (event) {
      var a11y = event.target.closest("[data-a11y]");
      if (a11y) {
        var action = a11y.getAttribute("data-a11y");
        var scale = parseFloat(store.get("localStorage", "imagin.font") || "1");
        if (action === "font-up") { store.set("localStorage", "imagin.font", String(Math.min(1.6, scale + 0.1))); }
        if (action === "font-down") { store.set("localStorage", "imagin.font", String(Math.max(0.8, scale - 0.1))); }
        if (action === "contrast" || action === "spacing") {
          var key = "imagin." + action;
          store.set("localStorage", key, store.get("localStorage", key) === "1" ? "0" : "1");
        }
        if (action === "reset") {
          ["imagin.font", "imagin.contrast", "imagin.spacing"].forEach(function (k) { store.del("localStorage", k); });
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
    document.addEventListener("keydown", function (event) {
      var row = event.target.closest && event.target.closest("tr[data-href]");
      if (row && event.key === "Enter" && event.target === row) {
        window.location.assign(row.getAttribute("data-href"));
      }
    });
  });
}());
