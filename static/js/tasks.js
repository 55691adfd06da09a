/* Task page: show the completion date only when "Đã hoàn thành" is chosen, and move progress to 100 %.
   The form works without this script; it only removes a field people do not need to see. */
(function () {
  "use strict";
  document.querySelectorAll("form.report-form").forEach(function (form) {
    var radios = form.querySelectorAll("input[type=radio][name$='-state']");
    var dateField = form.querySelector(".field-completed_on");
    var progress = form.querySelector("input[name$='-progress']");
    function sync() {
      var chosen = form.querySelector("input[type=radio][name$='-state']:checked");
      var done = chosen && chosen.value === "done";
      if (dateField) { dateField.hidden = !done; }
      if (done && progress) { progress.value = "100"; }
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  });
})();
