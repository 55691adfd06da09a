/* Dashboard: a print button (shown only when scripts run; the page prints fine without it), and
   choosing a document empties the year, since a document already says its year. */
(function () {
  var button = document.querySelector("[data-print]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
  var documentSelect = document.getElementById("f-document");
  var yearSelect = document.getElementById("f-year");
  if (documentSelect && yearSelect) {
    documentSelect.addEventListener("change", function () { yearSelect.disabled = documentSelect.value !== ""; });
    yearSelect.disabled = documentSelect.value !== "";
  }
})();
/* A printed page shows the lists folded in <details> (who has not reported yet). */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll(".dash details").forEach(function (d) { d.open = true; });
});
