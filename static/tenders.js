// tenders: the sheet editor. Without JavaScript every requirement has a
// position field and a Move button; here a requirement can also be dragged
// by its handle, and dropping it fills in that same field and sends the
// same form, so both ways go through one route and one audit entry.
(function () {
  "use strict";
  function setUp() {
    var sheet = document.querySelector("ol.sheet-editor");
    if (!sheet) {
      return;
    }
    var items = Array.prototype.slice.call(sheet.querySelectorAll("li.requirement"));
    if (items.length < 2) {
      return;
    }
    sheet.classList.add("draggable");
    var hint = document.getElementById("drag-hint");
    if (hint && !(window.matchMedia && window.matchMedia("(pointer: coarse)").matches)) {
      hint.hidden = false;
    }
    var dragged = null;

    function clearMarks() {
      items.forEach(function (li) {
        li.classList.remove("drop-before", "drop-after");
      });
    }

    items.forEach(function (li) {
      var handle = li.querySelector(".drag-handle");
      // Only the handle starts a drag, so text in the card stays selectable.
      if (handle) {
        handle.addEventListener("mousedown", function () { li.draggable = true; });
        handle.addEventListener("touchstart", function () { li.draggable = true; }, { passive: true });
      }
      li.addEventListener("dragstart", function (event) {
        dragged = li;
        li.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.getAttribute("data-requirement"));
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("dragging");
        li.draggable = false;
        clearMarks();
        dragged = null;
      });
      li.addEventListener("dragover", function (event) {
        if (!dragged || dragged === li) {
          return;
        }
        event.preventDefault();
        var box = li.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        clearMarks();
        li.classList.add(after ? "drop-after" : "drop-before");
      });
      li.addEventListener("drop", function (event) {
        if (!dragged || dragged === li) {
          return;
        }
        event.preventDefault();
        var box = li.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        var from = items.indexOf(dragged);
        var target = items.indexOf(li) + (after ? 1 : 0);
        if (target > from) {
          target -= 1; // the dragged item leaves its old place first
        }
        clearMarks();
        if (target === from) {
          return;
        }
        var form = dragged.querySelector("form.move-to");
        var input = form && form.querySelector("input[name=position]");
        if (!input) {
          return;
        }
        input.value = String(target + 1);
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

// The audit page's error summary takes the focus, so a screen reader
// hears what to fix first and the links lead to each field.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("audit-errors");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
