/* Flask-AppBuilder's generated screens (app/templates/appbuilder/base.html), issue 18.
   Select2 (FAB's select boxes) builds its widgets after the page is loaded and again at
   each change; this names them and repairs their markup each time:
   - the search box of a multiple select (the user form's roles) gets the label of its
     field as aria-label;
   - the "clear" cross select2 4.0 puts straight into its <ul> goes into an <li>;
   - a line of the list filters ("Rechercher") names its operator and value after the
     column it filters.
   After a sort by a column header the focus is back on that header. */
(function () {
  "use strict";

  function fieldLabel(select) {
    if (select.id) {
      var label = document.querySelector("label[for='" + select.id + "']");
      if (label) { return label.textContent.replace(/\s*\*\s*/g, " ").replace(/\s+/g, " ").trim(); }
    }
    return null;
  }

  function filterColumn(row) {
    var remove = row.querySelector(".remove-filter");
    return remove ? remove.textContent.replace(/×/g, "").replace(/\s+/g, " ").trim() : null;
  }

  function repair() {
    document.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) { return; }
      var row = select.closest("#filter_form tr");
      var name = row ? filterColumn(row) : fieldLabel(select);
      if (!name) { return; }
      var search = container.querySelector(".select2-search__field");
      if (search && search.getAttribute("aria-label") !== name) { search.setAttribute("aria-label", name); }
      var box = container.querySelector(".select2-selection");
      if (box && row && select.classList.contains("filter-op") && !box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", name + " – " + (document.documentElement.lang === "en" ? "operator" : "opérateur"));
        box.removeAttribute("aria-labelledby");
      }
      container.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear").forEach(function (cross) {
        var item = document.createElement("li");
        item.className = "imagin-select2-clear";
        cross.parentNode.insertBefore(item, cross);
        item.appendChild(cross);
      });
    });
    document.querySelectorAll("#filter_form tr").forEach(function (row) {
      var name = filterColumn(row);
      var value = row.querySelector(".filter_val");
      if (name && value && !value.hasAttribute("aria-label")) { value.setAttribute("aria-label", name); }
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(); });
  }

  // A click on a column header reloads the list sorted (FAB's _oc_/_od_ arguments): the
  // focus goes back to that header's link instead of the top of the page.
  function sortOf(search) {
    var params = new URLSearchParams(search);
    var found = null;
    params.forEach(function (value, key) {
      if (key.indexOf("_oc_") === 0) { found = { key: key, column: value, dir: params.get("_od_" + key.slice(4)) }; }
    });
    return found;
  }
  function focusSortedHeader() {
    var sort = sortOf(window.location.search);
    if (!sort || !document.referrer) { return; }
    var before = new URL(document.referrer);
    var previous = sortOf(before.search);
    if (before.pathname !== window.location.pathname ||
        (previous && previous.column === sort.column && previous.dir === sort.dir)) { return; }
    document.querySelectorAll("main table thead th a[href]").forEach(function (link) {
      var target = sortOf(new URL(link.href, window.location.href).search);
      if (target && target.key === sort.key && target.column === sort.column) { link.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSortedHeader();
    repair();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  });
}());
