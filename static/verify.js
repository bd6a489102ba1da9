// Live progress of a probe run: polls the run's status every second and
// moves the progress bar; when the run ends it reloads the page so the
// evidence and verdicts appear. Without JavaScript a reload does the same.
(function () {
  var box = document.getElementById("probe-run");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("probe-run-progress");
  var count = document.getElementById("probe-run-count");
  var status = document.getElementById("probe-run-status");
  var seenDone = -1;
  function finished(s) {
    return s === "done" || s === "failed";
  }
  if (finished(box.getAttribute("data-status"))) {
    return;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        var p = run.progress || { done: 0, total: 0 };
        bar.max = p.total || 1;
        bar.value = p.done;
        count.textContent = p.done + "/" + p.total;
        status.textContent = run.status;
        if (finished(run.status) || (seenDone >= 0 && p.done !== seenDone)) {
          // New evidence is in (or the run ended): show it.
          window.location.reload();
          return;
        }
        seenDone = p.done;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
