/* Behaviour shared by every page (loaded by base.html). The Content Security Policy forbids inline scripts and
   onclick=/onchange= attributes, so pages mark elements with data- attributes and this file attaches the handlers.
   Everything here is an enhancement: each page works without scripts. */
(function () {
  "use strict";
  /* A <select data-autosubmit> (the language menu) submits its form as soon as a value is chosen; the form's
     own submit button, needed only without scripts, is hidden. */
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll("[data-autosubmit-button]").forEach(function (button) { button.hidden = true; });
    select.addEventListener("change", function () { form.submit(); });
  });
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
