/* Behaviour shared by every page (loaded by base.html). The Content Security Policy forbids inline scripts and
   onclick=/onchange= attributes, so pages mark elements with data- attributes and this file attaches the handlers.
   Everything here is an enhancement: each page works without scripts. */
(function () {
  "use strict";
  /* On a phone the top bar's menu folds behind one "Danh mục" button (the bar stays one line); the button is
     hidden without scripts, where the menu simply shows. */
  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    button.hidden = false;
    menu.classList.add("foldable");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
  });
  /* After a failed save the summary of errors at the top of the page takes the focus, so that a keyboard or screen
     reader user starts from it; its links lead to the fields. */
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  /* A checkbox <input data-check-all="NAME"> ticks or clears every checkbox named NAME of its form
     (the reviewers' queue: choose all the reports of the page). */
  document.querySelectorAll("input[data-check-all]").forEach(function (box) {
    var name = box.getAttribute("data-check-all");
    box.addEventListener("change", function () {
      (box.form || document).querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (other) {
        other.checked = box.checked;
      });
    });
  });
})();
