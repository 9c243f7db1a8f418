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
