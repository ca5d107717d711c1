// watch.js: the holiday house-watch (长假照看) on the phone: registering
// one at the door (offline too: an outbox item like a visit), editing or
// cancelling it, and its screen with the resident's link, the schedule and
// the checks. The schedule (the due days) is the server's, in the watch's
// "due"; a watch the server has not seen yet says so instead of guessing.

import { get, getAll, meta, setMeta } from "../db.js";
import { go } from "../nav.js";
import { enqueue } from "../outbox.js";
import { day, clock, fieldError, clearErrors, newId, show, span, t } from "../util.js";

// progress matches a watch's checks to its due days as the server's
// watches.ProgressOf does: each due day owns the days since the one before
// it (the first, the days since departure), and a check in that window is
// that day's check. today is a station-local "YYYY-MM-DD".
export function progress(w, checks, today) {
  const due = w.due || [];
  const done = due.map(() => false);
  for (const c of checks) {
    const cd = day(c.visited_at);
    let prev = w.from;
    for (let i = 0; i < due.length; i++) {
      if (cd > prev && cd <= due[i]) {
        done[i] = true;
        break;
      }
      prev = due[i];
    }
  }
  const p = { due, done, made: 0, dueNow: 0, overdue: [], today: false, next: "" };
  due.forEach((d, i) => {
    if (done[i]) p.made++;
    if (d <= today) {
      p.dueNow++;
      if (!done[i]) {
        if (d < today) p.overdue.push(d);
        else p.today = true;
      }
    }
    if (!done[i] && !p.next && d >= today) p.next = d;
  });
  return p;
}

// checksOf lists a watch's holiday checks on the device, newest first.
export async function checksOf(watchId) {
  return (await getAll("visits")).filter((v) => v.watch === watchId && v.kind === "holiday_check")
    .sort((a, b) => (a.visited_at < b.visited_at ? 1 : -1));
}

// secret mints the resident link's secret (32 hex digits) on the phone, so
// the link can be shown at the door with no signal; the server keeps only
// its hash.
function secret() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- the form ----------------------------------------------------------

let state = null;
let saving = false;

function wire(form) {
  if (form.dataset.wired) return;
  form.dataset.wired = "1";
  form.addEventListener("submit", (e) => {
    e.preventDefault(); // always: a native submission would lose the watch
    if (state && !saving) save(form, false);
  });
  document.getElementById("wf-cancel-save").addEventListener("click", () => {
    if (state && !saving) save(form, true);
  });
}

export async function renderForm(id, q) {
  const form = document.getElementById("wf");
  wire(form);
  const button = document.getElementById("wf-save");
  const cancel = document.getElementById("wf-cancel-save");
  button.disabled = true;
  cancel.disabled = true;
  state = null;
  const me = await meta("me");
  const editing = id ? await get("holiday_watches", id) : null;
  const householdId = editing ? editing.household : q.get("household");
  const h = householdId ? await get("households", householdId) : null;
  clearErrors(form, "wf-alert");
  form.reset();
  const title = document.getElementById("wf-title");
  if (!h || (editing && editing.status !== "active")) {
    title.textContent = h ? t("watch.closed") : t("household.not_found");
    return;
  }
  title.textContent = (editing ? t("watch.field_title_edit") : t("watch.field_title_new")) + "：" + h.address;
  const set = (name, v) => (form.elements[name].value = v == null ? "" : v);
  if (editing) {
    set("from", editing.from);
    set("to", editing.to);
    set("contact_name", editing.contact_name);
    set("contact_phone", editing.contact_phone);
    set("key_holder", editing.key_holder);
    set("interval_days", String(editing.interval_days || 2));
    set("notes", editing.notes);
    form.elements.camera.checked = !!editing.camera;
  } else {
    const today = day(Date.now());
    const week = day(Date.now() + 7 * 86400000);
    set("from", today);
    set("to", week);
    set("contact_name", h.head_name || "");
    set("contact_phone", (h.phones_display || [])[0] || "");
  }
  show(document.getElementById("wf-cancel"), !!editing);
  state = { me, h, editing };
  saving = false;
  button.disabled = false;
  cancel.disabled = false;
}

async function save(form, cancelling) {
  const { h, editing } = state;
  clearErrors(form, "wf-alert");
  const v = (n) => form.elements[n].value.trim();
  let ok = true;
  for (const name of ["from", "to", "contact_name", "contact_phone"]) {
    if (!v(name)) {
      fieldError(form, name, t("field.required"));
      ok = false;
    }
  }
  if (v("from") && v("to") && v("to") <= v("from")) {
    fieldError(form, "to", t("field.watch_after_from"));
    ok = false;
  }
  if (cancelling && !v("cancel_reason")) {
    fieldError(form, "cancel_reason", t("field.required"));
    ok = false;
  }
  if (!ok) {
    const alert = document.getElementById("wf-alert");
    alert.textContent = t("js.form_has_errors");
    show(alert, true);
    return;
  }
  const doc = {
    id: editing ? editing.id : newId(),
    household: h.id,
    from: v("from"),
    to: v("to"),
    contact_name: v("contact_name"),
    contact_phone: v("contact_phone"),
    key_holder: v("key_holder"),
    interval_days: Number(v("interval_days")) || 2,
    camera: form.elements.camera.checked,
    notes: v("notes"),
    status: cancelling ? "cancelled" : "active",
    cancel_reason: cancelling ? v("cancel_reason") : "",
  };
  if (!editing) {
    doc.secret = secret();
    // The link is the phone's to show until the server's answer draws it.
    await setMeta("watchlink:" + doc.id, { url: location.origin + "/w/" + doc.id + "." + doc.secret, qr_svg: "" });
  }
  saving = true;
  document.getElementById("wf-save").disabled = true;
  try {
    await enqueue("holiday_watches", () => doc, editing ? "update" : "create",
      { due: editing && !cancelling ? editing.due : [], created_by: state.me.officer.id });
  } catch (err) {
    console.error(err);
    saving = false;
    document.getElementById("wf-save").disabled = false;
    const alert = document.getElementById("wf-alert");
    alert.textContent = t("js.save_failed");
    show(alert, true);
    return;
  }
  state = null;
  go("/watches/" + doc.id, true);
}

// ---- the watch's screen ------------------------------------------------

export async function render(id) {
  const w = await get("holiday_watches", id);
  show(document.getElementById("wv-missing"), !w);
  for (const el of document.querySelectorAll("#screen-watch > [data-part]")) el.hidden = !w;
  const linkCard = document.getElementById("wv-link-card");
  if (!w) {
    show(linkCard, false);
    return;
  }
  const h = await get("households", w.household);
  const checks = await checksOf(id);
  const today = day(Date.now());
  const p = progress(w, checks, today);
  document.getElementById("wv-address").textContent = h ? h.address : "";
  const status = document.getElementById("wv-status");
  status.className = w._pending ? "warnbox" : "notice";
  status.textContent = w._pending ? t("watch.js_saved_offline") : t("watch.status." + w.status);
  document.getElementById("wv-window").textContent = t("watch.window_text", w.from, w.to);
  document.getElementById("wv-interval").textContent = t("watch.every_n", w.interval_days);
  const contact = document.getElementById("wv-contact");
  contact.replaceChildren(document.createTextNode((w.contact_name || "") + " "));
  if (w.contact_phone) {
    const a = document.createElement("a");
    a.href = "tel:" + w.contact_phone;
    a.textContent = w.contact_phone;
    contact.append(a);
  }
  document.getElementById("wv-key").textContent = w.key_holder || "—";
  document.getElementById("wv-camera").textContent = w.camera ? t("watch.camera_yes") : t("watch.camera_no");
  document.getElementById("wv-notes").textContent = w.notes || "—";
  const active = w.status === "active";
  const check = document.getElementById("wv-check");
  check.href = "/visits/new?household=" + w.household + "&watch=" + w.id;
  show(check, active);
  const edit = document.getElementById("wv-edit");
  edit.href = "/watches/" + w.id + "/edit";
  show(edit, active);

  // The resident's link: the phone minted it, the server drew its QR.
  const link = await meta("watchlink:" + id);
  show(linkCard, !!link && active);
  if (link) {
    document.getElementById("wv-link").value = link.url;
    // The SVG was drawn by our server from the link; it holds no user input.
    const qr = document.getElementById("wv-qr");
    if (link.qr_svg) qr.innerHTML = link.qr_svg;
    else qr.replaceChildren();
    show(document.getElementById("wv-qr-later"), !link.qr_svg);
  }

  document.getElementById("wv-progress").textContent = w._pending && !(w.due || []).length
    ? t("watch.unsynced")
    : t("watch.js_progress", p.made, p.dueNow, p.due.length);
  document.getElementById("wv-due").replaceChildren(...p.due.map((d, i) => {
    const li = document.createElement("li");
    const cls = p.done[i] ? "tag ok" : d < today ? "tag bad" : d === today ? "tag warn" : "tag";
    li.append(span(cls, d.slice(5) + (p.done[i] ? " ✓" : "")));
    return li;
  }));
  document.getElementById("wv-checks").replaceChildren(...checks.map((c) => {
    const li = document.createElement("li");
    const div = document.createElement("div");
    div.className = "item";
    const top = document.createElement("div");
    top.className = "spread";
    top.append(span("title", clock(c.visited_at)), span(c.check_result === "abnormal" ? "tag bad" : "tag ok", t("check." + c.check_result)));
    div.append(top);
    if (c.notes) {
      const n = document.createElement("p");
      n.textContent = c.notes;
      div.append(n);
    }
    if (c._pending) div.append(span("pending-mark", t("js.pending")));
    li.append(div);
    return li;
  }));
  if (checks.length === 0) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = t("watch.no_checks");
    document.getElementById("wv-checks").append(li);
  }
}

// dueToday lists the active watches with a check due today or overdue,
// overdue first (Today's "长假照看" card).
export async function dueToday(households) {
  const today = day(Date.now());
  const out = [];
  for (const w of await getAll("holiday_watches")) {
    if (w.status !== "active") continue;
    const p = progress(w, await checksOf(w.id), today);
    if (p.overdue.length > 0 || p.today) out.push({ w, p, h: households.get(w.household) });
  }
  out.sort((a, b) => b.p.overdue.length - a.p.overdue.length || (a.p.overdue[0] || a.p.next).localeCompare(b.p.overdue[0] || b.p.next));
  return out;
}

// ofHousehold lists a household's watches on the device, newest first.
export async function ofHousehold(id) {
  return (await getAll("holiday_watches")).filter((w) => w.household === id).sort((a, b) => (a.from < b.from ? 1 : -1));
}

