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
/* Tabs: the parts below the agencies table show one at a time (without scripts they all show, one after another).
   The tab named in the address (#qua-han) opens first. */
(function () {
  var bar = document.querySelector("[data-tabs]");
  if (!bar) { return; }
  var links = Array.prototype.slice.call(bar.querySelectorAll("a[href^='#']"));
  var panels = links.map(function (a) { return document.getElementById(a.getAttribute("href").slice(1)); });
  function show(id) {
    links.forEach(function (a, i) {
      var on = a.getAttribute("href") === "#" + id;
      a.classList.toggle("active", on);
      a.setAttribute("aria-selected", on ? "true" : "false");
      if (panels[i]) { panels[i].hidden = !on; }
    });
  }
  links.forEach(function (a) {
    a.setAttribute("role", "tab");
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var id = a.getAttribute("href").slice(1);
      show(id);
      history.replaceState(null, "", "#" + id);
    });
  });
  bar.setAttribute("role", "tablist");
  var wanted = window.location.hash.slice(1);
  show(panels.some(function (p) { return p && p.id === wanted; }) ? wanted : links[0].getAttribute("href").slice(1));
})();
/* Printing shows every part. */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll(".tab-panel").forEach(function (p) { p.hidden = false; });
});
