// map.js: tap-to-place on the patrol map (/patrols/map). The page is
// server-rendered and works without this module: the add-point form takes
// x and y typed as fractions. With it, a tap on the map fills them in from
// where the finger landed, shows where the point will go, and moves the
// cursor to the label; the form then posts as usual. A tap on an existing
// point scrolls to its row in the list instead.

import { t } from "./util.js";

const svg = document.getElementById("map-svg");
const form = document.getElementById("point-form");
const preview = document.getElementById("map-preview");
const hint = document.getElementById("map-tap-hint");

// clamp keeps a fraction on the sheet.
const clamp = (v) => Math.min(1, Math.max(0, v));

if (svg && form && preview) {
  const w = Number(svg.dataset.w);
  const h = Number(svg.dataset.h);
  svg.classList.add("placing");
  if (hint) hint.hidden = false;

  svg.addEventListener("click", (ev) => {
    const mark = ev.target.closest(".pt:not(.preview)");
    if (mark) {
      const row = document.getElementById("row-" + mark.dataset.id);
      if (row) row.scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    // Where the tap landed, in the map's own coordinates (the image's
    // pixels), whatever size the map is drawn at.
    const at = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(svg.getScreenCTM().inverse());
    const x = clamp(at.x / w);
    const y = clamp(at.y / h);
    form.elements.x.value = x.toFixed(4);
    form.elements.y.value = y.toFixed(4);
    preview.setAttribute("transform", `translate(${x * w} ${y * h})`);
    preview.removeAttribute("hidden");
    if (hint) hint.textContent = t("js.map_placed");
    form.elements.label.focus();
  });
}
