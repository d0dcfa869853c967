/* Flask-AppBuilder's generated screens (app/templates/appbuilder/base.html), issue 18.
   Select2 (FAB's select boxes) builds its widgets after the page is loaded and again at
   each change; this names them and repairs their markup each time:
   - the search box of a multiple select (the user form's roles) gets the label of its
     field as aria-label;
   - the "clear" cross select2 4.0 puts straight into its <ul> goes into an <li>;
   - a line of the list filters ("Rechercher") names its operator and value after the
     column it filters. */
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

  document.addEventListener("DOMContentLoaded", function () {
    repair();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  });
}());
