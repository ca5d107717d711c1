// visit_form.js: record a visit (or edit one within the edit window). A
// routine visit is a few taps: 见面 is preset, WeChat is one toggle, save.
// Saving takes the next QR token, so the visit's id is the token's and the
// resident can confirm it even if the phone is offline.
//
// The form's handlers are attached once; render() only sets the state they
// read. The save button is disabled in the markup and enabled by render()
// once the form is filled, so a tap can never submit an unwired form.

import { get, getAll, meta } from "../db.js";
import { go } from "../nav.js";
import { enqueue } from "../outbox.js";
import { takeToken } from "../replica.js";
import { clock, newId, show, t, clearErrors, fieldError } from "../util.js";

const DAY = 86400000;

// state is what the current render found: the officer, the household,
// the visit being edited, the watch of a holiday check.
let state = null;
let saving = false;

function wire(form) {
  if (form.dataset.wired) return;
  form.dataset.wired = "1";
  form.addEventListener("submit", (e) => {
    e.preventDefault(); // always: a native submission would lose the visit
    submit(form);
  });
  for (const r of form.querySelectorAll('input[name="outcome"]')) r.addEventListener("change", () => syncWeChat(form));
  for (const r of form.querySelectorAll('input[name="kind"]')) r.addEventListener("change", () => syncKind(form));
}

// syncKind shows what a holiday check needs (its result, who to call, who
// holds the key) only for a holiday check.
function syncKind(form) {
  const holiday = form.elements.kind.value === "holiday_check";
  show(document.getElementById("vf-watch"), holiday && !!(state && state.watch));
}

function syncWeChat(form) {
  const wechat = form.elements.wechat_added;
  const met = form.elements.outcome.value === "met";
  wechat.disabled = !met;
  if (!met) wechat.checked = false;
}

export async function render(id, q) {
  const form = document.getElementById("vf");
  wire(form);
  const save = document.getElementById("vf-save");
  save.disabled = true;
  state = null;
  const me = await meta("me");
  const editing = id ? await get("visits", id) : null;
  const householdId = editing ? editing.household : q.get("household");
  const h = householdId ? await get("households", householdId) : null;
  clearErrors(form, "vf-alert");
  form.reset();
  delete form.elements.visited_at.dataset.initial;
  const alert = document.getElementById("vf-alert");
  if (!h) {
    document.getElementById("vf-address").textContent = t("household.not_found");
    document.getElementById("vf-meta").textContent = "";
    return;
  }
  document.getElementById("vf-address").textContent = h.address;
  document.getElementById("vf-meta").textContent = [h.head_name, (h.phones_display || [])[0], t("js.last_visit", h.last_visited_at ? clock(h.last_visited_at) : t("time.never"))].filter(Boolean).join(" · ");
  let closed = false;
  if (h.archived) {
    alert.textContent = t("household.archived");
    closed = true;
  } else if (editing && editing.resident_answer) {
    alert.textContent = t("visit.answered");
    closed = true;
  } else if (editing && !editing._pending && editing.received_at && Date.now() - Date.parse(editing.received_at) >= me.rules.edit_window_ms) {
    alert.textContent = t("visit.closed");
    closed = true;
  }
  show(alert, closed);

  // WeChat: only a new contact counts towards the target; say so.
  const wechat = form.elements.wechat_added;
  const note = document.getElementById("vf-wechat-note");
  note.textContent = h.wechat_contact ? t("js.wechat_already", me.officers[h.wechat_contact] || "") : "";
  show(note, !!h.wechat_contact);

  // A holiday check belongs to the household's active watch.
  const watches = (await getAll("holiday_watches")).filter((w) => w.household === h.id && w.status === "active");
  const watchId = (editing && editing.watch) || q.get("watch") || (watches[0] && watches[0].id) || "";
  const watch = watchId ? await get("holiday_watches", watchId) : null;
  const holiday = form.querySelector('input[name="kind"][value="holiday_check"]');
  holiday.closest("label").hidden = !watch && !(editing && editing.kind === "holiday_check");
  const contact = document.getElementById("vf-watch-contact");
  contact.replaceChildren();
  if (watch) {
    contact.append(document.createTextNode(t("watch.contact_for_check", watch.contact_name || "—") + " "));
    if (watch.contact_phone) {
      const a = document.createElement("a");
      a.href = "tel:" + watch.contact_phone;
      a.className = "button";
      a.textContent = watch.contact_phone;
      contact.append(a);
    }
    document.getElementById("vf-watch-key").textContent = t("watch.key_for_check", watch.key_holder || "—");
  }

  // A follow-up (回访) of a dispute the officer leads.
  const disputeId = (editing && editing.dispute) || q.get("dispute") || "";
  const dispute = disputeId ? await get("disputes", disputeId) : null;
  document.getElementById("vf-dispute-summary").textContent = dispute ? dispute.number + " " + dispute.summary : "";
  show(document.getElementById("vf-dispute"), !!dispute);

  const at = form.elements.visited_at;
  if (editing) {
    form.elements.outcome.value = editing.outcome;
    form.elements.kind.value = editing.kind;
    wechat.checked = editing.wechat_added;
    form.elements.notes.value = editing.notes || "";
    for (const box of form.querySelectorAll('input[name="concerns"]')) box.checked = (editing.concerns || []).includes(box.value);
    at.value = localInput(editing.visited_at);
    at.dataset.initial = at.value;
    if (editing.check_result) form.elements.check_result.value = editing.check_result;
  } else if (q.get("watch") && watch) {
    form.elements.kind.value = "holiday_check";
    form.elements.outcome.value = "not_home"; // a check is usually of an empty home
  } else if (dispute) {
    form.elements.kind.value = "follow_up";
  }
  state = { me, h, editing, watchId, watch, disputeId: dispute ? dispute.id : "" };
  syncWeChat(form);
  syncKind(form);
  saving = false;
  save.disabled = closed;
}

async function submit(form) {
  const save = document.getElementById("vf-save");
  if (!state || saving || save.disabled) return;
  const { me, h, editing, watchId, disputeId } = state;
  const rules = me.rules;
  clearErrors(form, "vf-alert");
  const at = form.elements.visited_at;
  const kind = form.elements.kind.value || "routine";
  // An edit keeps the visit's exact time unless the officer changed it.
  const untouched = editing && at.value === at.dataset.initial;
  const visitedAt = untouched ? editing.visited_at : at.value ? new Date(at.value).toISOString() : new Date().toISOString();
  if (Date.parse(visitedAt) > Date.now() + rules.clock_skew_ms) return fieldError(form, "visited_at", t("field.future"));
  if (!editing && Date.now() - Date.parse(visitedAt) > rules.max_age_ms) return fieldError(form, "visited_at", t("field.too_old", Math.round(rules.max_age_ms / DAY)));
  const checkResult = kind === "holiday_check" ? form.elements.check_result.value : "";
  if (kind === "holiday_check" && !checkResult) return fieldError(form, "check_result", t("field.choice"));
  if (checkResult === "abnormal" && !form.elements.notes.value.trim()) return fieldError(form, "notes", t("field.abnormal_needs_note"));
  saving = true;
  save.disabled = true;
  const fields = {
    household: h.id,
    visited_at: visitedAt,
    kind,
    outcome: form.elements.outcome.value,
    concerns: [...form.querySelectorAll('input[name="concerns"]:checked')].map((b) => b.value).sort(),
    notes: form.elements.notes.value.trim(),
    wechat_added: form.elements.wechat_added.checked,
    watch: kind === "holiday_check" ? (editing ? editing.watch : watchId) : "",
    check_result: checkResult,
    // Only a follow-up names its case (the server checks it is one).
    dispute: kind === "follow_up" ? disputeId : "",
  };
  const local = { officer: me.officer.id, received_at: editing ? editing.received_at : null };
  try {
    const doc = await enqueue("visits", async (s) => {
      if (editing) return { id: editing.id, ...fields };
      const token = await takeToken(s);
      return { id: token ? token.visit_id : newId(), ...fields };
    }, editing ? "update" : "create", local);
    state = null;
    go("/visits/" + doc.id, true);
  } catch (err) {
    console.error(err);
    saving = false;
    save.disabled = false;
    const alert = document.getElementById("vf-alert");
    alert.textContent = t("js.save_failed");
    show(alert, true);
  }
}

// localInput formats an instant for a datetime-local input (device time).
function localInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
