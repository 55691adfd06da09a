/* An export's page: ask for its progress every second; reload when it is finished (the link appears). */
(function () {
  var box = document.querySelector("[data-export-status]");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") { return; }
  var bar = box.querySelector("[data-progress]");
  var label = box.querySelector("[data-progress-label]");
  function poll() {
    fetch(box.dataset.exportStatus, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state === "done" || data.state === "failed") { window.location.reload(); return; }
        if (bar) { bar.max = data.total || 1; bar.value = data.progress; }
        if (label) { label.textContent = data.progress + "/" + data.total; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
