// attest: the vendor answer page.
//
// Without JavaScript the page is one form whose every button saves all
// answers. This script adds: focus on the error summary, a question before
// a button marked data-confirm (removing evidence), saving each answer as
// the vendor types (with a visible state per requirement), a copy of what
// was typed in sessionStorage until the server has it, and a live progress
// bar with a "next unanswered" link.
(function () {
  "use strict";

  // A button may ask before its form is sent (app.js asks for forms).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    // A form sent again after waiting for its autosaves was asked already.
    if (event.target.hasAttribute("data-asked")) {
      event.target.removeAttribute("data-asked");
      return;
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  var needsDate = { partial: true, does_not_comply: true };
  var claims = { complies: true, partial: true };

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    var form = document.getElementById("answers-form");
    if (form) {
      enhance(form);
    }
  });

  function enhance(form) {
    var attestation = form.getAttribute("data-attestation");
    var csrf = form.querySelector('input[name="_csrf"]').value;
    var text = function (name) { return form.getAttribute("data-text-" + name) || ""; };
    var items = Array.prototype.slice.call(form.querySelectorAll("li.answer[data-requirement]"));
    var state = {};

    function storageKey(rid) { return "tenderprobe:attest:" + attestation + ":" + rid; }
    function store(key, value) {
      try {
        if (value === null) { window.sessionStorage.removeItem(key); } else { window.sessionStorage.setItem(key, JSON.stringify(value)); }
      } catch (e) { /* storage full or refused: the server copy is what counts */ }
    }
    function stored(key) {
      try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
    }

    function fields(li) {
      var rid = li.getAttribute("data-requirement");
      return {
        rid: rid,
        status: document.getElementById("status-" + rid),
        explanation: document.getElementById("explanation-" + rid),
        planned: document.getElementById("planned-" + rid),
        lock: document.getElementById("lock-" + rid),
        badge: document.getElementById("answer-" + rid + "-status"),
        live: document.getElementById("autosave-" + rid)
      };
    }
    function values(f) {
      return { status: f.status.value, explanation: f.explanation.value, planned: f.planned.value };
    }
    function show(f, kind, message) {
      f.live.textContent = message;
      f.live.className = "autosave autosave-" + kind;
    }
    function markInvalid(f, field) {
      var el = { status: f.status, explanation: f.explanation, planned_date: f.planned }[field];
      if (!el) { return; }
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("data-autosave-invalid", "true");
      var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(f.live.id) < 0) { described.push(f.live.id); }
      el.setAttribute("aria-describedby", described.join(" "));
    }
    // clearMarks drops every error mark of a requirement once it is saved.
    function clearMarks(li, f) {
      [f.status, f.explanation, f.planned].forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("data-autosave-invalid");
        var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== f.live.id && !/-error$/.test(id);
        });
        if (described.length) { el.setAttribute("aria-describedby", described.join(" ")); } else { el.removeAttribute("aria-describedby"); }
        var box = el.closest(".field");
        if (box) { box.classList.remove("invalid"); }
      });
      li.querySelectorAll(".answer-fields .error-text, #answer-" + f.rid + "-error").forEach(function (p) { p.remove(); });
      li.classList.remove("has-errors");
    }

    // Once a save is refused because the session ended, the page stops
    // saving: what is typed stays in sessionStorage (remember), and the
    // note with its "log in again" link stays put. Saving again on the
    // blur of a click on that link replaced the link before the click.
    var sessionEnded = false;
    // waitThenSend sends the form once the autosaves on their way are
    // done; set while the form waits for them.
    var waitThenSend = null;
    // sending is set once the form goes: no autosave starts after it.
    var sending = false;

    function save(li) {
      var f = fields(li);
      var s = state[f.rid];
      if (sessionEnded) { sessionNote(li, f); return; }
      if (sending || waitThenSend) { return; }
      if (s.inFlight) { s.again = true; return; }
      window.clearTimeout(s.timer);
      var v = values(f);
      if (v.status === "") {
        if (v.explanation.trim() !== "" || v.planned !== "") { show(f, "error", text("unanswered")); }
        return;
      }
      var body = new URLSearchParams();
      body.set("_csrf", csrf);
      body.set("status", v.status);
      body.set("explanation", v.explanation);
      body.set("planned_date", needsDate[v.status] ? v.planned : "");
      body.set("lock_version", f.lock.value);
      s.inFlight = true;
      show(f, "saving", text("saving"));
      fetch("/attestations/" + attestation + "/answers/" + f.rid, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf }
      }).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) { return { ok: res.ok, status: res.status, data: data }; });
      }).then(function (r) {
        // Until the server has it, the answer is still to go (progress).
        li.setAttribute("data-unsaved", r.ok ? "false" : "true");
        if (r.ok) {
          f.lock.value = r.data.lock_version;
          // Each saved answer counts one change of the attestation too:
          // count it, so Save all and Submit from this page are not
          // taken for a change made elsewhere (a change elsewhere still is).
          var pageLock = form.querySelector("input[name=lock_version]");
          if (pageLock) { pageLock.value = String(Number(pageLock.value) + 1); }
          clearMarks(li, f);
          li.setAttribute("data-saved", "true");
          progress();
          var now = values(f);
          if (now.status === v.status && now.explanation === v.explanation && now.planned === v.planned) {
            store(storageKey(f.rid), null);
            show(f, "saved", text("saved"));
          }
          if (f.badge) { f.badge.textContent = f.status.options[f.status.selectedIndex].text; }
        } else if (r.status === 401) {
          // Logged out in another tab, or the session expired: what was
          // typed stays in sessionStorage (remember) and is saved after
          // logging in again in this tab.
          sessionEnded = true;
          sessionNote(li, f);
        } else {
          show(f, "error", text("not-saved").replace("{message}", r.data.message || r.data.error || ""));
          (r.data.errors || [r.data]).forEach(function (e) { if (e.field) { markInvalid(f, e.field); } });
          progress();
        }
      }, function () {
        li.setAttribute("data-unsaved", "true");
        show(f, "error", text("offline"));
        progress();
      }).then(function () {
        s.inFlight = false;
        if (waitThenSend) {
          s.again = false;
          if (!Object.keys(state).some(function (rid) { return state[rid].inFlight; })) { waitThenSend(); }
          return;
        }
        if (s.again) { s.again = false; save(li); }
      });
    }

    // sessionNote says, beside the answer, that the session ended, with a
    // link to log in again and come back to it; shown once, so the link
    // stays while it is being clicked.
    function sessionNote(li, f) {
      li.setAttribute("data-unsaved", "true");
      if (!f.live.querySelector("a")) {
        show(f, "error", text("session"));
        var login = document.createElement("a");
        login.href = "/login?next=" + encodeURIComponent(location.pathname + "#answer-" + f.rid);
        login.textContent = text("login");
        f.live.appendChild(document.createTextNode(" "));
        f.live.appendChild(login);
      }
      progress();
    }

    function remember(li) {
      var f = fields(li);
      var v = values(f);
      v.lock = f.lock.value;
      store(storageKey(f.rid), v);
    }

    function progress() {
      var answered = 0, togo = 0, evidence = 0, next = null;
      items.forEach(function (li) {
        var f = fields(li);
        // A refused answer (marked by the server or by its autosave) is
        // not saved: it is still to go, as Completeness says.
        if (f.status.value === "" || li.classList.contains("has-errors") || li.getAttribute("data-unsaved") === "true" || f.status.getAttribute("data-autosave-invalid") || f.explanation.getAttribute("data-autosave-invalid") || f.planned.getAttribute("data-autosave-invalid")) {
          togo++;
          if (!next) { next = li; }
        } else {
          answered++;
        }
        if (claims[f.status.value] && li.getAttribute("data-attestation-only") === "true" && li.getAttribute("data-evidence") === "0") {
          evidence++;
        }
      });
      // Completeness is what is saved: the answers the page came with and
      // those saved since.
      var saved = items.filter(function (li) { return li.getAttribute("data-saved") === "true"; }).length;
      var done = document.getElementById("completeness");
      var donePattern = done && done.getAttribute("data-pattern");
      if (donePattern) {
        var percent = items.length ? Math.floor(saved * 100 / items.length) : 100;
        done.textContent = donePattern.replace("{answered}", saved).replace("{total}", items.length).replace("{percent}", percent);
        var doneBar = document.getElementById("completeness-bar");
        if (doneBar) { doneBar.value = saved; doneBar.textContent = percent + "%"; }
      }
      var counts = document.getElementById("attest-progress-counts");
      var pattern = counts && counts.getAttribute("data-pattern");
      if (pattern) {
        counts.textContent = pattern.replace("{answered}", answered).replace("{total}", items.length)
          .replace("{togo}", togo).replace("{evidence}", evidence);
      }
      var bar = document.getElementById("attest-progress-bar");
      if (bar) { bar.value = answered; bar.textContent = answered + " / " + items.length; }
      var link = document.getElementById("next-unanswered");
      if (link) {
        link.setAttribute("href", next ? "#" + next.id : "#submit");
        link.textContent = link.getAttribute(next ? "data-text-next" : "data-text-done") || link.textContent;
      }
    }

    // The files of one save travel in one request, which the server takes
    // up to its limit: more would be refused after everything was sent.
    var limit = Number(form.getAttribute("data-upload-limit")) || 0;
    form.addEventListener("submit", function (event) {
      var total = 0, last = null;
      form.querySelectorAll('input[type="file"]').forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; last = input; });
      });
      if (limit && total > limit && last) {
        event.preventDefault();
        var li = last.closest("li.answer");
        if (li) { show(fields(li), "error", text("too-large")); }
        last.focus();
      }
    });
    // The form carries each answer's version as this page last saved it:
    // an autosave still on its way would make the form stale, and the
    // server refuses a stale answer (another tab's save is not this
    // page's). So the form waits for it, and no new autosave starts. On
    // the document, after the question of a data-confirm button: a
    // refused question sends nothing, later either.
    document.addEventListener("submit", function (event) {
      if (event.target !== form || event.defaultPrevented) { return; }
      Object.keys(state).forEach(function (rid) { window.clearTimeout(state[rid].timer); });
      var busy = Object.keys(state).some(function (rid) { return state[rid].inFlight; });
      if (!busy) {
        sending = true;
        return;
      }
      event.preventDefault();
      var submitter = event.submitter;
      waitThenSend = function () {
        waitThenSend = null;
        sending = true;
        form.setAttribute("data-asked", "");
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      };
    });

    // Without a script the sticky "Save all" returns to the answers'
    // heading; with it, to the requirement in view.
    var saveAll = document.getElementById("save-all");
    if (saveAll) {
      saveAll.addEventListener("click", function () {
        var bar = document.getElementById("attest-progress");
        var top = bar ? bar.getBoundingClientRect().bottom : 0;
        for (var i = 0; i < items.length; i++) {
          if (items[i].getBoundingClientRect().bottom > top) {
            saveAll.value = items[i].id;
            return;
          }
        }
      });
    }

    items.forEach(function (li) {
      var f = fields(li);
      if (!f.status || !f.explanation || !f.planned || !f.lock || !f.live) { return; }
      state[f.rid] = { timer: 0, inFlight: false, again: false };
      // What the server refused or never got comes back after a reload,
      // if the answer has not changed on the server since.
      // If it changed there since, the text still comes back, marked, and
      // waits for the vendor to check it and save.
      var kept = stored(storageKey(f.rid));
      var now = values(f);
      if (kept && (kept.status !== now.status || kept.explanation !== now.explanation || kept.planned !== now.planned)) {
        f.status.value = kept.status;
        f.explanation.value = kept.explanation;
        f.planned.value = kept.planned;
        if (kept.lock === f.lock.value) {
          save(li);
        } else {
          show(f, "error", text("restored"));
        }
      } else if (kept && !li.classList.contains("has-errors")) {
        // The page shows it as stored: the server has it.
        store(storageKey(f.rid), null);
      }
      f.status.addEventListener("change", function () { remember(li); progress(); save(li); });
      f.planned.addEventListener("change", function () { remember(li); save(li); });
      f.explanation.addEventListener("input", function () {
        remember(li);
        var s = state[f.rid];
        window.clearTimeout(s.timer);
        s.timer = window.setTimeout(function () { save(li); }, 700);
      });
      f.explanation.addEventListener("change", function () { save(li); });
    });
    progress();
    keepDrafts(form, text, store, stored);
  }

  // keepDrafts keeps what is typed in the fields that save only with the
  // form (the domains in scope, each requirement's evidence link) in
  // sessionStorage until the page shows the server has it, puts it back
  // after a reload or a visit elsewhere, and asks before the page is left
  // with such text unsaved.
  function keepDrafts(form, text, store, stored) {
    var attestation = form.getAttribute("data-attestation");
    var fields = Array.prototype.slice.call(form.querySelectorAll('textarea[name="web"], textarea[name="mail"], textarea[name="management"], input[name^="evidence_url-"]'));
    var loaded = {};
    var sending = false;
    function key(el) { return "tenderprobe:attest:" + attestation + ":draft:" + el.name; }
    function note(el) {
      var id = el.id + "-draft";
      if (document.getElementById(id)) { return; }
      var p = document.createElement("p");
      p.id = id;
      p.className = "autosave autosave-error";
      p.setAttribute("role", "status");
      p.textContent = text("draft");
      el.insertAdjacentElement("afterend", p);
      var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      el.setAttribute("aria-describedby", described.join(" "));
    }
    fields.forEach(function (el) {
      loaded[el.name] = el.value;
      var kept = stored(key(el));
      if (kept !== null && kept !== el.value) {
        el.value = kept;
        note(el);
      } else if (kept !== null) {
        store(key(el), null);
      }
      el.addEventListener("input", function () { store(key(el), el.value); });
    });
    document.addEventListener("submit", function () { sending = true; });
    window.addEventListener("beforeunload", function (event) {
      if (sending) { return; }
      for (var i = 0; i < fields.length; i++) {
        if (fields[i].value !== loaded[fields[i].name]) {
          event.preventDefault();
          event.returnValue = "";
          return;
        }
      }
    });
  }
}());
