// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/vendor/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// Follow-up questions show under the answer that calls for them only when
// it is chosen (GOV.UK's conditional reveal). This is done here rather than
// by GOV.UK Frontend, whose version sets aria-expanded on the radios, which
// ARIA does not allow there (it does so for any radio with aria-controls,
// so none is set: the revealed questions follow their option in the page).
// Without this script every follow-up shows.
const reveals = [...document.querySelectorAll("input[data-app-reveal]")]
  .map((input) => [input, document.getElementById(input.dataset.appReveal)])
  .filter(([, target]) => target);
const syncReveals = () => {
  for (const [input, target] of reveals) {
    const hidden = target.classList.contains("govuk-checkboxes__conditional")
      ? "govuk-checkboxes__conditional--hidden" : "govuk-radios__conditional--hidden";
    target.classList.toggle(hidden, !input.checked);
  }
};
document.addEventListener("change", (e) => {
  if (e.target.matches("input[type=radio], input[type=checkbox]")) syncReveals();
});
window.addEventListener("pageshow", syncReveals);
syncReveals();

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
      let id = "f-" + el.name.replaceAll(".", "-");
      // A date input's day box has the date's own id (the server's too).
      if (el.dataset.datePart === "day") id = id.slice(0, -"-day".length);
      for (const label of tr.querySelectorAll(`label[for="${el.id}"]`)) label.htmlFor = id;
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

// Drafts: warn before leaving with unsaved changes, and save a draft in the
// background while typing (every data-autosave-interval milliseconds, 30
// seconds on the page). Without this script the page is an ordinary form.
const draft = document.querySelector("form[data-autosave]");
if (draft) {
  const status = document.getElementById("autosave-status");
  let dirty = false;
  let timer = null;
  let stopped = false;
  let inflight = false;
  const say = (text) => { if (status) status.textContent = text; };
  const save = async () => {
    timer = null;
    if (!dirty || stopped) return;
    if (inflight) { schedule(); return; }
    const body = new URLSearchParams(new FormData(draft));
    body.set("action", "save");
    dirty = false;
    inflight = true;
    let res;
    try {
      res = await fetch(draft.dataset.autosave, {
        method: "POST", body, credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
    } catch {
      inflight = false;
      dirty = true;
      say("Could not save automatically: check your connection. Use Save draft to keep your changes.");
      return;
    }
    let out = {};
    try { out = await res.json(); } catch { /* not JSON: signed out, say */ }
    inflight = false;
    if (res.ok && out.revision) {
      draft.querySelector("input[name=_revision]").value = out.revision;
      const n = (out.errors || []).length;
      say("Draft saved automatically at " + out.saved_at + "." +
        (n ? " " + n + (n === 1 ? " answer is" : " answers are") + " not valid yet: they are kept as typed." : ""));
      if (dirty) schedule();
      return;
    }
    dirty = true;
    if (res.status === 409) {
      // Someone else saved first: stop, so that their work is not
      // overwritten; Save draft shows both.
      stopped = true;
      say("Someone else has saved this record since you opened it, so it is no longer saved automatically. " +
        "Use Save draft: you will see your answers and can copy them into the latest version.");
    } else {
      say((out.error && out.error.message) || "Could not save automatically. Use Save draft to keep your changes.");
    }
  };
  const schedule = () => {
    if (timer || stopped) return;
    const wait = parseInt(draft.dataset.autosaveInterval, 10) || 30000;
    timer = setTimeout(save, wait);
  };
  const changed = () => { dirty = true; schedule(); };
  draft.addEventListener("input", changed);
  draft.addEventListener("change", changed);
  draft.addEventListener("submit", () => { dirty = false; stopped = true; if (timer) clearTimeout(timer); });
  window.addEventListener("beforeunload", (e) => {
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = "";
  });
}
