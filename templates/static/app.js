// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/vendor/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// Drawn signature: an optional extra to the typed name and checkbox.
const canvas = document.querySelector("[data-signature-pad]");
if (canvas && window.SignaturePad === undefined) {
  const s = document.createElement("script");
  s.src = "/static/vendor/signature_pad.umd.min.js";
  s.onload = setUpPad;
  document.head.appendChild(s);
} else if (canvas) {
  setUpPad();
}

function setUpPad() {
  const form = canvas.closest("form");
  const field = form.querySelector("input[name=drawing_png_base64]");
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  const pad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)" });
  form.querySelector("[data-signature-clear]").addEventListener("click", (e) => {
    e.preventDefault();
    pad.clear();
    field.value = "";
  });
  form.addEventListener("submit", () => {
    field.value = pad.isEmpty() ? "" : pad.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
  });
}

// Tables: with this script, "Add another row" and "Remove" change the page
// at once; without it they post the form, which keeps everything typed.
for (const add of document.querySelectorAll("button[name=action][value^='add-row:']")) {
  const name = add.value.slice("add-row:".length);
  const tbody = add.closest("fieldset").querySelector("tbody");
  add.addEventListener("click", (e) => {
    const rows = tbody.querySelectorAll("tr");
    if (rows.length === 0) return; // the server builds the first row
    e.preventDefault();
    const row = rows[rows.length - 1].cloneNode(true);
    for (const el of row.querySelectorAll("input, textarea, select")) {
      if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
      el.classList.remove("govuk-input--error", "govuk-textarea--error", "govuk-select--error");
      el.removeAttribute("aria-describedby");
    }
    for (const msg of row.querySelectorAll(".govuk-error-message")) msg.remove();
    for (const g of row.querySelectorAll(".govuk-form-group--error")) g.classList.remove("govuk-form-group--error");
    tbody.appendChild(row);
    renumber(tbody, name);
    row.querySelector("input, textarea, select")?.focus();
  });
  tbody.addEventListener("click", (e) => {
    const remove = e.target.closest("button[value^='remove-row:']");
    if (!remove) return;
    e.preventDefault();
    const next = remove.closest("tr").nextElementSibling || remove.closest("tr").previousElementSibling;
    remove.closest("tr").remove();
    renumber(tbody, name);
    (next?.querySelector("input, textarea, select") || add).focus();
  });
}

// renumber gives a table's rows the names the server reads ("actions.0.due",
// "actions.1.due", …) and matching ids, labels and button values.
function renumber(tbody, name) {
  const cell = new RegExp("^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\.\\d+\\.");
  tbody.querySelectorAll("tr").forEach((tr, i) => {
    for (const el of tr.querySelectorAll("[name]")) {
      if (!cell.test(el.name)) continue;
      el.name = el.name.replace(cell, name + "." + i + ".");
      const id = "f-" + el.name.replaceAll(".", "-");
      const label = tr.querySelector(`label[for="${el.id}"]`);
      if (label) label.htmlFor = id;
      el.id = id;
    }
    const remove = tr.querySelector("button[value^='remove-row:']");
    if (remove) {
      remove.value = "remove-row:" + name + ":" + i;
      const hidden = remove.querySelector(".govuk-visually-hidden");
      if (hidden) hidden.textContent = " row " + (i + 1);
    }
  });
}
