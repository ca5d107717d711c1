// visit.js: a saved visit: whether it has reached the server, and the QR
// code the resident scans to confirm it (drawn by the server when the token
// was issued; shown from the device, so it works offline).

import { get, meta } from "../db.js";
import { clock, show, t } from "../util.js";

const EDIT_WINDOW = 24 * 3600 * 1000;

export async function render(id) {
  const [v, me, token, parked] = await Promise.all([get("visits", id), meta("me"), get("tokens", id), get("attention", "visits:" + id)]);
  show(document.getElementById("vv-missing"), !v);
  for (const el of document.querySelectorAll("#screen-visit > [data-part]")) el.hidden = !v;
  if (!v) return;
  const h = await get("households", v.household);
  const status = document.getElementById("vv-status");
  if (parked && parked.kind === "invalid") {
    status.className = "alert";
    status.textContent = t("js.visit_refused", parked.message || "");
  } else if (v._pending) {
    status.className = "warnbox";
    status.textContent = navigator.onLine ? t("js.visit_sending") : t("js.visit_saved_offline");
  } else {
    status.className = "notice";
    status.textContent = t("js.visit_synced");
  }
  document.getElementById("vv-address").textContent = h ? h.address : "";
  document.getElementById("vv-meta").textContent = [clock(v.visited_at), t("kind." + v.kind), t("outcome." + v.outcome), v.wechat_added ? t("visit.wechat_added") : "", (v.concerns || []).join("、")].filter(Boolean).join(" · ");
  document.getElementById("vv-notes").textContent = v.notes || "";
  const editable = v.officer === me.officer.id && (v._pending || (v.received_at && Date.now() - Date.parse(v.received_at) < EDIT_WINDOW));
  const edit = document.getElementById("vv-edit");
  edit.href = "/visits/" + v.id + "?edit";
  // A refused visit can be corrected and saved again.
  show(edit, editable || (parked && parked.kind === "invalid" && v.officer === me.officer.id));
  show(document.getElementById("vv-closed"), !editable && v.officer === me.officer.id);
  document.getElementById("vv-household").href = "/households/" + v.household;
  // The SVG was drawn by our server from the confirmation URL; it holds no
  // user input.
  const qr = document.getElementById("vv-qr");
  if (token && token.qr_svg) qr.innerHTML = token.qr_svg;
  show(document.getElementById("vv-qr-card"), !!(token && token.qr_svg));
  show(document.getElementById("vv-noqr"), !token && v.officer === me.officer.id && v._pending);
}
