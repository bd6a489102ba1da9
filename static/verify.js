// Live progress of a probe run: polls the run's status every second,
// moves the progress bar and the line under the status, and reloads the
// page when the run starts, stores a domain or ends, so the evidence and
// verdicts appear. Without JavaScript a reload does the same.
(function () {
  var box = document.getElementById("probe-run");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var first = box.getAttribute("data-status");
  var seenDone = parseInt(box.getAttribute("data-done") || "0", 10);
  var bar = document.getElementById("probe-run-progress");
  var count = document.getElementById("probe-run-count");
  function finished(s) {
    return s === "done" || s === "failed" || s === "not_measured";
  }
  if (finished(first)) {
    return;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        var p = run.progress || { done: 0, total: 0 };
        if (run.status !== first || p.done !== seenDone) {
          // The run started, stored a domain or ended: show it.
          window.location.reload();
          return;
        }
        if (bar) {
          bar.max = run.domains_to_probe || 1;
          bar.value = p.done;
        }
        if (count) {
          count.textContent = p.done + "/" + run.domains_to_probe;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
