// Keyboard for the review desk (no framework): j/k move, Enter opens, / filters, u back, 1-3 decide, n note,
// Ctrl+Enter in the note sends the decision.
(function () {
  "use strict";
  // Shortcuts never type into a field: they are off while a text field has the focus (a radio or a
  // checkbox is not one), and a key that moves the focus into a field is not typed there.
  var NOT_TEXT = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1, hidden: 1 };
  function typing(e) {
    var t = e.target;
    if (!t) { return false; }
    if (t.tagName === "INPUT") { return !NOT_TEXT[(t.type || "text").toLowerCase()]; }
    return t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-href]")); }
  var current = -1;
  function select(i) {
    var all = rows();
    if (!all.length) { return; }
    i = Math.max(0, Math.min(all.length - 1, i));
    if (all[current]) { all[current].classList.remove("sel"); }
    current = i;
    all[i].classList.add("sel");
    all[i].focus({ preventScroll: true });
    all[i].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (rows().length) { select(0); }
    rows().forEach(function (row, i) {
      row.addEventListener("click", function (e) {
        if (e.target.tagName !== "A") { select(i); window.location.href = row.getAttribute("data-href"); }
      });
    });
  });
  document.addEventListener("keydown", function (e) {
    var note = document.getElementById("note");
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && note && document.activeElement === note) {
      e.preventDefault();
      document.getElementById("decide").requestSubmit();
      return;
    }
    if (typing(e) || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var all = rows();
    if (e.key === "j") { e.preventDefault(); select(current + 1); }
    else if (e.key === "k") { e.preventDefault(); select(current - 1); }
    else if ((e.key === "Enter" || e.key === "o") && all[current]) { e.preventDefault(); window.location.href = all[current].getAttribute("data-href"); }
    else if (e.key === "/") { var f = document.querySelector("#filters select, #filters input"); if (f) { e.preventDefault(); f.focus(); } }
    else if (e.key === "u") { var back = document.getElementById("back"); window.location.href = back ? back.href : "/review/"; }
    else if (e.key === "c") { window.location.href = "/review/campaigns"; }
    else if (e.key === "n" && note) { e.preventDefault(); note.focus(); }
    else if (/^[1-9]$/.test(e.key)) {
      var radios = document.querySelectorAll("#decide input[name=verdict]");
      var r = radios[parseInt(e.key, 10) - 1];
      if (r) { e.preventDefault(); r.checked = true; r.focus(); }  // then n for the note
    }
  });
})();
