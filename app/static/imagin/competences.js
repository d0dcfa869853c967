/* "Ajouter compétence": the specialty list follows the exam, the paper list follows
   the specialty. Without JavaScript, "Actualiser les listes" does the same. The form
   is set up on its page, and when dialogs.js shows it in a dialog. */
(function () {
  "use strict";

  function fill(select, items) {
    var first = select.options[0];
    select.innerHTML = "";
    select.appendChild(first);
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = String(item.id);
      option.textContent = item.label;
      select.appendChild(option);
    });
    select.value = "";
  }

  function setUp(form) {
    if (!form || form.hasAttribute("data-ready")) { return; }
    form.setAttribute("data-ready", "");
    var url = form.getAttribute("data-options-url");
    var refresh = form.querySelector("[data-no-js]");
    if (refresh) { refresh.hidden = true; }

    function load(param, value, target, then) {
      if (!value) { fill(target, []); if (then) { then(); } return; }
      fetch(url + "?" + param + "=" + encodeURIComponent(value), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (items) { fill(target, items); if (then) { then(); } });
    }

    var exam = form.querySelector('[data-cascade="exam"]');
    var specialty = form.querySelector('[data-cascade="specialty"]');
    var paper = form.querySelector('[data-cascade="paper"]');
    exam.addEventListener("change", function () {
      load("exam", exam.value, specialty, function () { fill(paper, []); });
    });
    specialty.addEventListener("change", function () {
      load("specialty", specialty.value, paper);
    });
  }

  setUp(document.getElementById("competence-form"));
  document.addEventListener("imagin:content", function (event) {
    setUp(event.detail.querySelector("#competence-form"));
  });
}());
