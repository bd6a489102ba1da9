// Asks before a form marked data-confirm is sent (remove, publish, disable).
// Without JavaScript the forms still work; this only adds a second chance.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// On a phone the header's links fold behind a Menu button (static/app.css);
// the class on <html> says the script runs, so without it nothing folds.
(function () {
  document.documentElement.classList.add("js");
  var header = document.querySelector("header.site");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) {
    return;
  }
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // Escape closes the open menu and gives the focus back to its button,
  // as a disclosure's keyboard users expect (WAI-ARIA disclosure pattern).
  header.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && header.classList.contains("open")) {
      header.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();

// A form that came back with errors: the summary above it takes the focus,
// so keyboard and screen reader users start at the list of problems. A
// page without a summary (one refused field, perhaps far down a long page)
// brings its first refused field into view and focuses it instead: nobody
// is left at the top of the page wondering whether anything was saved.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    return;
  }
  // Else a refusal shown beside its button (publishing, say).
  var field = document.querySelector('[aria-invalid="true"]') || document.querySelector('.flash.error[role="alert"]');
  if (field) {
    if (!field.matches("input, select, textarea, button, a[href]")) {
      field.setAttribute("tabindex", "-1");
    }
    field.focus();
    field.scrollIntoView({ block: "center" });
  }
})();

// Copy buttons (hidden without JavaScript, where the link is selected
// with one click instead): data-copy names the element whose text to copy;
// data-copied and data-failed are the words to show, from the page.
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () {
        if (status) { status.textContent = button.getAttribute("data-failed"); }
      });
    });
  });
})();

// Times are shown in the reader's zone: without an account setting, the
// server reads the browser's zone from this cookie, from the next page on
// (every page names the zone its times are in, so the first is not
// misleading; reloading it would disturb whoever is already typing).
(function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var current = (document.cookie.match(/(?:^|; )tp_tz=([^;]*)/) || [])[1];
  if (current && decodeURIComponent(current) === zone) {
    return;
  }
  var secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "tp_tz=" + encodeURIComponent(zone) + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
})();
