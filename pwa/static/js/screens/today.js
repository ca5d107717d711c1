// today.js: the officer's day. Rings show the server's count plus this
// device's visits the server has not seen yet; below are the items that
// need attention, holiday checks due, today's visits and who to visit next.

import { getAll, meta } from "../db.js";
import { attention, dismiss } from "../outbox.js";
import { ago, clock, day, fill, fromTemplate, show, span, t, tagClass, weekday } from "../util.js";
import { visitItem } from "./households.js";
import { dueToday } from "./watch.js";

const SUGGESTIONS = 12;

export async function render(_id, q) {
  const [me, targets, visits, households, parked, outbox] = await Promise.all([
    meta("me"), meta("targets"), getAll("visits"), getAll("households"), attention(), getAll("outbox"),
  ]);
  if (!me) return;
  const now = Date.now();
  const today = day(now);
  const byId = new Map(households.map((h) => [h.id, h]));
  const mine = visits.filter((v) => v.officer === me.officer.id && day(v.visited_at) === today)
    .sort((a, b) => (a.visited_at < b.visited_at ? 1 : -1));

  // Rings: the server's figure is authoritative; add what only this device
  // knows (visits still in the outbox).
  const server = targets && targets.date === today ? targets : { homes: 0, wechat: 0 };
  // Homes count met visits, holiday checks aside (an empty home watched is
  // no home visited), as the server's targets do.
  const home = (v) => v.outcome === "met" && v.kind !== "holiday_check";
  const syncedMet = new Set(mine.filter((v) => !v._pending && home(v)).map((v) => v.household));
  const extraHomes = new Set(mine.filter((v) => v._pending && home(v) && !syncedMet.has(v.household)).map((v) => v.household));
  const extraWeChat = mine.filter((v) => v._pending && v.wechat_added && !(byId.get(v.household) || {}).wechat_contact).length;
  ring("ring-homes", server.homes + extraHomes.size, me.settings.target_homes);
  ring("ring-wechat", server.wechat + extraWeChat, me.settings.target_wechat);

  const visitDay = me.settings.visit_weekdays.includes(weekday(now));
  const dayEl = document.getElementById("today-day");
  dayEl.replaceChildren(document.createTextNode(today + " "), span(visitDay ? "badge-visit-day" : "badge-rest-day", visitDay ? t("today.visit_day") : t("js.rest_day")));
  document.getElementById("today-note").textContent = mine.some((v) => v._pending) ? t("js.rings_include_pending") : "";

  const saved = document.getElementById("today-saved");
  const what = q && q.get("saved");
  saved.textContent = what ? t("js.saved_" + what) : "";
  show(saved, !!what);

  renderAttention(parked, byId, outbox.filter((e) => e.officer && e.officer !== me.officer.id), me);
  await renderWatches(byId);
  await renderFollowUps(me, byId, now);
  await renderPatrols(me, byId, now);

  const list = document.getElementById("today-visits");
  list.replaceChildren(...mine.map((v) => visitItem(v, byId.get(v.household), me, true)));
  show(document.getElementById("today-empty"), mine.length === 0);

  // Suggestions: the longest unvisited first; elderly living alone and
  // households under watch count as twice as overdue.
  const visitedToday = new Set(mine.map((v) => v.household));
  const priority = new Set(me.rules.priority_tags || []);
  const weight = (h) => (h.tags || []).some((x) => priority.has(x)) ? 2 : 1;
  const overdue = (h) => (h.last_visited_at ? (now - Date.parse(h.last_visited_at)) / 86400000 : 3650) * weight(h);
  const picks = households
    .filter((h) => !h.archived && !visitedToday.has(h.id))
    .map((h) => [overdue(h), h])
    .sort((a, b) => b[0] - a[0])
    .slice(0, SUGGESTIONS)
    .map(([, h]) => householdItem(h));
  document.getElementById("suggestions").replaceChildren(...picks);
}

function ring(id, done, target) {
  const fig = document.getElementById(id);
  if (!fig) return;
  const bar = fig.querySelector("circle.bar");
  const r = Number(bar.getAttribute("r"));
  const circ = 2 * Math.PI * r;
  const frac = target > 0 ? Math.min(done / target, 1) : 0;
  bar.setAttribute("stroke-dasharray", `${(circ * frac).toFixed(2)} ${circ.toFixed(2)}`);
  fig.dataset.done = String(done);
  fig.dataset.target = String(target);
  fig.classList.toggle("met", target > 0 && done >= target);
  const count = fig.querySelector(".ring-count");
  count.replaceChildren(document.createTextNode(String(done)), Object.assign(document.createElement("small"), { textContent: "/" + target }));
}

export function householdItem(h) {
  const li = fromTemplate("tpl-household");
  const a = li.querySelector("a");
  a.href = "/households/" + h.id;
  fill(li, {
    address: h.address,
    last: ago(h.last_visited_at),
    head: h.head_name,
    phones: (h.phones_display || []).join("、"),
  });
  const tags = li.querySelector('[data-f="tags"]');
  tags.replaceChildren(...(h.tags || []).map((x) => span(tagClass(x), x)));
  if (h._pending) tags.append(span("pending-mark", " " + t("js.pending")));
  return li;
}

function renderAttention(parked, byId, foreign, me) {
  const box = document.getElementById("attention");
  const list = document.getElementById("attention-list");
  const others = [...new Set(foreign.map((e) => e.officer))].map((officer) => {
    const li = document.createElement("li");
    const div = document.createElement("div");
    div.className = "item";
    div.append(span("title", t("js.foreign_records", foreign.filter((e) => e.officer === officer).length, me.officers[officer] || "")));
    li.append(div);
    return li;
  });
  list.replaceChildren(...others, ...parked.map((a) => {
    const li = document.createElement("li");
    const div = document.createElement("div");
    div.className = "item";
    const what = attentionText(a, byId);
    const title = span("title", what);
    const kind = span(a.kind === "invalid" ? "tag bad" : "tag warn", t("js.attention_kind_" + a.kind));
    const reason = document.createElement("p");
    reason.className = "small";
    const fieldMsgs = Object.values(a.errors || {}).map((e) => e.message);
    reason.textContent = [a.message, ...fieldMsgs].filter(Boolean).join(" ");
    const ok = document.createElement("button");
    ok.type = "button";
    ok.textContent = a.kind === "invalid" ? t("js.discard") : t("js.got_it");
    ok.addEventListener("click", () => {
      if (a.kind !== "invalid" || confirm(t("js.discard_confirm"))) dismiss(a.key, a.kind === "invalid");
    });
    div.append(title, document.createTextNode(" "), kind, reason, ok);
    li.append(div);
    return li;
  }));
  show(box, parked.length + others.length > 0);
}

// renderWatches lists the holiday watches with a check due today or
// overdue (overdue first), from the server's schedule and this phone's
// checks.
async function renderWatches(byId) {
  const box = document.getElementById("watch-due");
  const due = await dueToday(byId);
  const list = document.getElementById("watch-list");
  list.replaceChildren(...due.map(({ w, p, h }) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "item";
    a.href = "/visits/new?household=" + w.household + "&watch=" + w.id;
    const when = p.overdue.length > 0 ? span("tag bad", t("watch.js_overdue", p.overdue.length)) : span("tag warn", t("watch.js_due_today"));
    a.append(span("title", h ? h.address : w.household), document.createTextNode(" "), when, document.createElement("br"),
      span("meta", t("js.watch_until", w.to, w.interval_days)));
    li.append(a);
    return li;
  }));
  show(box, due.length > 0);
}

// attentionText names a parked item in words.
function attentionText(a, byId) {
  const d = a.doc || {};
  switch (a.collection) {
    case "visits":
      return t("js.attention_visit", (byId.get(d.household) || {}).address || d.household, clock(d.visited_at));
    case "patrol_shifts":
      return t("js.attention_shift", d.date || "", d.starts || "");
    case "patrol_reports":
      return t("js.attention_report", d.place || "", t("patrols.kind." + d.kind));
    case "holiday_watches":
      return t("js.attention_watch", (byId.get(d.household) || {}).address || d.household);
    default:
      return t("js.attention_household", d.building || d.address || a.id);
  }
}

// renderFollowUps lists the follow-up visits (回访) of the disputes this
// officer leads that are due today or overdue; each opens the visit form
// as a follow-up of its case.
async function renderFollowUps(me, byId, now) {
  const box = document.getElementById("followups-due");
  if (!box) return;
  const end = day(now);
  const due = (await getAll("disputes"))
    .filter((d) => d.pending && d.officer === me.officer.id && d.follow_up_at && day(d.follow_up_at) <= end)
    .sort((a, b) => (a.follow_up_at < b.follow_up_at ? -1 : 1));
  document.getElementById("followups-list").replaceChildren(...due.map((d) => {
    const h = byId.get(d.household);
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "item";
    a.href = h ? "/visits/new?household=" + d.household + "&dispute=" + d.id : "/disputes/" + d.id;
    const late = day(d.follow_up_at) < end;
    a.append(span("title", d.number + " " + (h ? h.address : d.summary)), document.createTextNode(" "),
      span(late ? "tag bad" : "tag warn", late ? t("js.followup_overdue", day(d.follow_up_at)) : t("js.followup_today")),
      document.createElement("br"), span("meta", d.summary));
    li.append(a);
    return li;
  }));
  show(box, due.length > 0);
}

// renderPatrols counts this officer's shifts today and lists the patrol
// reports assigned to them that are not closed yet.
async function renderPatrols(me, byId, now) {
  const [shifts, reports] = await Promise.all([getAll("patrol_shifts"), getAll("patrol_reports")]);
  const today = day(now);
  const n = shifts.filter((s) => s.officer === me.officer.id && s.date === today).length;
  document.getElementById("patrols-today-count").textContent = n > 0 ? t("js.shifts_today", n) : "";
  const mine = reports.filter((r) => r.status === "assigned" && r.assigned_to === me.officer.id)
    .sort((a, b) => (a.reported_at < b.reported_at ? -1 : 1));
  document.getElementById("reports-list").replaceChildren(...mine.map((r) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "item";
    a.href = "/reports/" + r.id;
    a.append(span("title", r.place), document.createTextNode(" "), span("tag warn", t("patrols.kind." + r.kind)),
      document.createElement("br"), span("meta", clock(r.reported_at) + " " + r.description));
    li.append(a);
    return li;
  }));
  show(document.getElementById("reports-due"), mine.length > 0);
}
