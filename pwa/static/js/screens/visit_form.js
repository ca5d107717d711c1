// visit_form.js: record a visit (or edit one within 24 hours). A routine
// visit is a few taps: 见面 is preset, WeChat is one toggle, save. Saving
// takes the next QR token, so the visit's id is the token's and the
// resident can confirm it even if the phone is offline.

import { get, getAll, meta } from "../db.js";
import { go } from "../nav.js";
import { enqueue } from "../outbox.js";
import { takeToken } from "../replica.js";
import { clock, newId, show, t, clearErrors, fieldError } from "../util.js";

const EDIT_WINDOW = 24 * 3600 * 1000;

export async function render(id, q) {
  const form = document.getElementById("vf");
  const me = await meta("me");
  const editing = id ? await get("visits", id) : null;
  const householdId = editing ? editing.household : q.get("household");
  const h = householdId ? await get("households", householdId) : null;
  clearErrors(form, "vf-alert");
  form.reset();
  delete form.elements.visited_at.dataset.initial;
  const alert = document.getElementById("vf-alert");
  const save = document.getElementById("vf-save");
  save.disabled = false;
  if (!h) {
    document.getElementById("vf-address").textContent = t("household.not_found");
    document.getElementById("vf-meta").textContent = "";
    save.disabled = true;
    return;
  }
  document.getElementById("vf-address").textContent = h.address;
  document.getElementById("vf-meta").textContent = [h.head_name, (h.phones_display || [])[0], t("js.last_visit", h.last_visited_at ? clock(h.last_visited_at) : t("time.never"))].filter(Boolean).join(" · ");
  if (h.archived) {
    alert.textContent = t("household.archived");
    show(alert, true);
    save.disabled = true;
  }
  if (editing && !editing._pending && editing.received_at && Date.now() - Date.parse(editing.received_at) >= EDIT_WINDOW) {
    alert.textContent = t("visit.closed");
    show(alert, true);
    save.disabled = true;
  }

  // WeChat: only a new contact counts towards the target; say so.
  const wechat = form.elements.wechat_added;
  const note = document.getElementById("vf-wechat-note");
  note.textContent = h.wechat_contact ? t("js.wechat_already", me.officers[h.wechat_contact] || "") : "";
  show(note, !!h.wechat_contact);

  // A holiday check belongs to the household's active watch.
  const watches = (await getAll("holiday_watches")).filter((w) => w.household === h.id && w.status === "active");
  const watchId = q.get("watch") || (watches[0] && watches[0].id) || "";
  const holiday = form.querySelector('input[name="kind"][value="holiday_check"]');
  holiday.closest("label").hidden = !watchId && !(editing && editing.kind === "holiday_check");

  const at = form.elements.visited_at;
  if (editing) {
    form.elements.outcome.value = editing.outcome;
    form.elements.kind.value = editing.kind;
    wechat.checked = editing.wechat_added;
    form.elements.notes.value = editing.notes || "";
    for (const box of form.querySelectorAll('input[name="concerns"]')) box.checked = (editing.concerns || []).includes(box.value);
    at.value = localInput(editing.visited_at);
    at.dataset.initial = at.value;
  } else if (q.get("watch")) {
    form.elements.kind.value = "holiday_check";
  }
  const syncWeChat = () => {
    const met = form.elements.outcome.value === "met";
    wechat.disabled = !met;
    if (!met) wechat.checked = false;
  };
  for (const r of form.querySelectorAll('input[name="outcome"]')) r.onchange = syncWeChat;
  syncWeChat();

  form.onsubmit = async (e) => {
    e.preventDefault();
    if (save.disabled) return;
    clearErrors(form, "vf-alert");
    const kind = form.elements.kind.value || "routine";
    // An edit keeps the visit's exact time unless the officer changed it.
    const untouched = editing && at.value === at.dataset.initial;
    const visitedAt = untouched ? editing.visited_at : at.value ? new Date(at.value).toISOString() : new Date().toISOString();
    if (Date.parse(visitedAt) > Date.now() + 5 * 60000) return fieldError(form, "visited_at", t("field.future"));
    if (Date.now() - Date.parse(visitedAt) > 7 * 86400000) return fieldError(form, "visited_at", t("field.too_old", 7));
    save.disabled = true;
    const fields = {
      household: h.id,
      visited_at: visitedAt,
      kind,
      outcome: form.elements.outcome.value,
      concerns: [...form.querySelectorAll('input[name="concerns"]:checked')].map((b) => b.value).sort(),
      notes: form.elements.notes.value.trim(),
      wechat_added: wechat.checked,
      watch: kind === "holiday_check" ? (editing ? editing.watch : watchId) : "",
    };
    const local = { officer: me.officer.id, received_at: editing ? editing.received_at : null };
    const doc = await enqueue("visits", async (s) => {
      if (editing) return { id: editing.id, ...fields };
      const token = await takeToken(s);
      return { id: token ? token.visit_id : newId(), ...fields };
    }, editing ? "update" : "create", local);
    go("/visits/" + doc.id, true);
  };
}

// localInput formats an instant for a datetime-local input (device time).
function localInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
