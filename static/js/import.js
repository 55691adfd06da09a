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

/* Mapping an unknown name: search the province's agencies and groups as the admin types (the list may hold thousands). */
(function () {
  var inputs = document.querySelectorAll("[data-agency-search]");
  Array.prototype.forEach.call(inputs, function (input) {
    var select = document.getElementById(input.getAttribute("data-for"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) return;
        fetch(input.getAttribute("data-agency-search") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            var keep = select.options[0];
            select.innerHTML = "";
            select.appendChild(keep);
            data.results.forEach(function (row) {
              var option = document.createElement("option");
              option.value = row.value;
              option.textContent = row.label + " (" + row.kind + ")";
              select.appendChild(option);
            });
            if (data.results.length) select.selectedIndex = 1;
          });
      }, 200);
    });
  });
})();
