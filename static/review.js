// review: the review matrix works without this script; it only keeps an
// officer from sending the same accept twice while the page reloads.
(function () {
  "use strict";
  document.querySelectorAll("#matrix-form, .bulk-accept").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var by = ev.submitter;
      // Disabling the button at once would drop its name and value from
      // the form data, so wait until the browser has read them.
      setTimeout(function () {
        form.setAttribute("aria-busy", "true");
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        if (by) { by.textContent = by.textContent + " …"; }
      }, 0);
    });
  });
})();
