// caseflow web page: list rows, and following a run's progress. The pages
// work without it except for adding rows and the live progress bar.
"use strict";

function setupRows() {
  document.querySelectorAll(".list").forEach(function (list) {
    var add = list.querySelector(".add-row");
    var tmpl = list.querySelector("template.row-template");
    var rows = list.querySelector(".rows");
    if (!add || !tmpl || !rows) return;
    add.addEventListener("click", function () {
      var n = parseInt(list.dataset.next || "0", 10);
      list.dataset.next = String(n + 1);
      var html = tmpl.innerHTML.split("__i__").join(String(n));
      var box = document.createElement("div");
      box.innerHTML = html.trim();
      var row = box.firstElementChild;
      rows.appendChild(row);
      renumber(list);
      var first = row.querySelector("input[type=text], textarea, select");
      if (first) first.focus();
    });
  });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest(".remove-row") : null;
    if (!btn) return;
    var row = btn.closest(".row");
    var list = btn.closest(".list");
    if (row) row.remove();
    if (list) renumber(list);
  });
}

function renumber(list) {
  list.querySelectorAll(".rows > .row .row-n").forEach(function (el, i) { el.textContent = String(i + 1); });
}

function followRun() {
  var head = document.getElementById("run-head");
  if (!head) return;
  var id = head.dataset.run;
  var status = head.dataset.status;
  var report = head.dataset.report;
  var active = ["queued", "running", "cancelling"];
  var waitingReport = status === "done" && ["none", "queued", "running"].indexOf(report) >= 0;
  if (active.indexOf(status) < 0 && !waitingReport) return;
  function poll() {
    fetch("/api/runs/" + encodeURIComponent(id), {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.status !== status || (waitingReport && s.report !== report)) { window.location.reload(); return; }
        var fill = document.getElementById("progress-fill");
        var text = document.getElementById("progress-text");
        if (fill && s.total) fill.style.width = (100 * s.done / s.total).toFixed(1) + "%";
        if (text && s.total && s.status !== "queued") text.textContent = s.done + " of " + s.total + " " + (text.dataset.unit || "replications");
        setTimeout(poll, 400);
      }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
}

function followRuns() {
  var table = document.getElementById("runs-table");
  if (!table) return;
  if (!table.querySelector('tr[data-status="queued"], tr[data-status="running"], tr[data-status="cancelling"]')) return;
  setTimeout(function () {
    // keep ticked boxes: only reload when nothing is ticked
    if (!table.querySelector("input[type=checkbox]:checked")) window.location.reload();
    else followRuns();
  }, 1500);
}

function showFirstError() {
  var bad = document.querySelector(".has-error");
  if (!bad) return;
  var sec = bad.closest("details");
  if (sec) sec.open = true;
  bad.scrollIntoView({block: "center"});
  var input = bad.querySelector("input, textarea, select");
  if (input) input.focus({preventScroll: true});
}

document.addEventListener("DOMContentLoaded", function () {
  setupRows();
  showFirstError();
  followRun();
  followRuns();
});
