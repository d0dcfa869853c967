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
