// visit.js: a saved visit: whether it has reached the server, what the
// resident answered, and until they have, the QR code they scan to confirm
// it (drawn by the server when the token was issued; shown from the
// device, so it works offline).

import { get, meta } from "../db.js";
import { clock, show, t } from "../util.js";

export async function render(id) {
  const [v, me, token, parked] = await Promise.all([get("visits", id), meta("me"), get("tokens", id), get("attention", "visits:" + id)]);
  show(document.getElementById("vv-missing"), !v);
  for (const el of document.querySelectorAll("#screen-visit > [data-part]")) el.hidden = !v;
  if (!v) {
    show(document.getElementById("vv-qr-card"), false);
    show(document.getElementById("vv-noqr"), false);
    return;
  }
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
  // The resident's answer, once it has arrived (pulled like any change).
  const answer = document.getElementById("vv-answer");
  answer.className = v.resident_answer === "denied" ? "alert" : "notice";
  answer.textContent = v.resident_answer === "confirmed"
    ? t("js.answer_confirmed") + (v.resident_rating > 0 ? " " + "★".repeat(v.resident_rating) : "")
    : v.resident_answer === "denied" ? t("js.answer_denied") : "";
  show(answer, !!v.resident_answer);

  document.getElementById("vv-address").textContent = h ? h.address : "";
  document.getElementById("vv-meta").textContent = [clock(v.visited_at), t("kind." + v.kind), t("outcome." + v.outcome),
    v.check_result ? t("check." + v.check_result) : "", v.wechat_added ? t("visit.wechat_added") : "", (v.concerns || []).join("、")].filter(Boolean).join(" · ");
  document.getElementById("vv-notes").textContent = v.notes || "";
  const mine = v.officer === me.officer.id;
  const inWindow = v._pending || (v.received_at && Date.now() - Date.parse(v.received_at) < me.rules.edit_window_ms);
  const editable = mine && !v.resident_answer && inWindow;
  const edit = document.getElementById("vv-edit");
  edit.href = "/visits/" + v.id + "?edit";
  // A refused visit can be corrected and saved again.
  show(edit, editable || (mine && parked && parked.kind === "invalid"));
  const closed = document.getElementById("vv-closed");
  closed.textContent = v.resident_answer ? t("visit.answered") : t("visit.closed");
  show(closed, mine && !editable);
  document.getElementById("vv-household").href = "/households/" + v.household;
  // A visit that found a dispute (矛盾纠纷) opens a case, prefilled from the
  // visit, once the visit is on the server (the case page is online).
  const dispute = document.getElementById("vv-dispute");
  const found = mine && (v.concerns || []).includes(t("js.concern_dispute")) && !v.dispute;
  dispute.href = "/disputes/new?visit=" + v.id;
  show(dispute, found && !v._pending);
  show(document.getElementById("vv-dispute-later"), found && !!v._pending);
  // The SVG was drawn by our server from the confirmation URL; it holds no
  // user input. Once the resident has answered, the QR has done its work.
  const qr = document.getElementById("vv-qr");
  const showQR = !!(token && token.qr_svg) && mine && !v.resident_answer;
  if (showQR) qr.innerHTML = token.qr_svg;
  else qr.replaceChildren();
  show(document.getElementById("vv-qr-card"), showQR);
  // Saved with an empty token book: say so, and that it refills online.
  show(document.getElementById("vv-noqr"), !token && mine && !v.resident_answer);
}
