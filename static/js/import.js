/* Progress bar of a background appendix import: poll the job's status and reload when it changes state. */
(function () {
  var box = document.querySelector("[data-import-status]");
  if (!box) return;
  var url = box.getAttribute("data-import-status");
  var state = box.getAttribute("data-state");
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-progress-label]");
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.total && data.progress) { bar.max = data.total; bar.value = data.progress; label.textContent = data.progress + " / " + data.total; }
        if (data.state !== state) { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
