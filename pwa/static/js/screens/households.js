// households.js: instant household search over the replica, and a
// household's page with its visit history. Nothing here needs the network.

import { byIndex, get, getAll, meta } from "../db.js";
import { ago, clock, day, daysAgo, fill, fromTemplate, on, show, span, t, tagClass } from "../util.js";
import { householdItem } from "./today.js";
import { checksOf, ofHousehold, progress } from "./watch.js";

const SHOW = 60;

// The search works on an in-memory list, rebuilt when the replica changes.
let cache = null;
on("replica", (d) => {
  if (!d || d.collection === "households" || d.collection === "*") cache = null;
});

async function loadAll() {
  if (!cache) {
    const all = await getAll("households");
    cache = all.filter((h) => !h.archived).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }
  return cache;
}

// terms cleans the officer's typing like the server does: full-width to
// half-width, lower case; a phone-shaped entry loses its separators.
export function terms(text) {
  const s = text.normalize("NFKC").trim().toLowerCase();
  if (!s) return [];
  if (/^[\d\s\-+()]+$/.test(s)) return [s.replace(/^\+/, "").replace(/[\s\-()]/g, "")];
  return s.split(/\s+/);
}

let wired = false;

export async function renderSearch() {
  const q = document.getElementById("hh-q");
  const tag = document.getElementById("hh-tag");
  const days = document.getElementById("hh-days");
  if (!wired) {
    wired = true;
    let timer = null;
    const again = () => {
      clearTimeout(timer);
      timer = setTimeout(renderSearch, 80);
    };
    q.addEventListener("input", again);
    tag.addEventListener("change", renderSearch);
    days.addEventListener("change", renderSearch);
  }
  const all = await loadAll();
  const words = terms(q.value);
  const minDays = Number(days.value || 0);
  const hits = all.filter((h) =>
    (!tag.value || (h.tags || []).includes(tag.value)) &&
    (!minDays || !h.last_visited_at || daysAgo(h.last_visited_at) >= minDays) &&
    words.every((w) => (h.search || "").includes(w)));
  if (minDays) hits.sort((a, b) => (a.last_visited_at || "") < (b.last_visited_at || "") ? -1 : 1);
  document.getElementById("hh-count").textContent = t("js.search_count", hits.length, all.length);
  document.getElementById("hh-results").replaceChildren(...hits.slice(0, SHOW).map(householdItem));
}

export async function renderDetail(id) {
  const [h, me] = await Promise.all([get("households", id), meta("me")]);
  show(document.getElementById("hd-missing"), !h);
  for (const el of document.querySelectorAll("#screen-household > [data-part]")) el.hidden = !h;
  if (!h) return;
  const names = new Map();
  for (const c of me.places) {
    names.set(c.id, c.name);
    for (const g of c.grids) names.set(g.id, g.name);
  }
  document.getElementById("hd-address").textContent = h.address;
  show(document.getElementById("hd-archived"), h.archived);
  document.getElementById("hd-head").textContent = h.head_name || "—";
  const phones = document.getElementById("hd-phones");
  phones.replaceChildren(...(h.phones || []).map((p, i) => {
    const a = document.createElement("a");
    a.href = "tel:" + p;
    a.textContent = (h.phones_display || [])[i] || p;
    return a;
  }).flatMap((a) => [a, document.createTextNode(" ")]));
  document.getElementById("hd-place").textContent = (names.get(h.community) || "") + (h.grid ? " · " + (names.get(h.grid) || "") : "");
  document.getElementById("hd-residents").textContent = String(h.residents || 0);
  document.getElementById("hd-tags").replaceChildren(...(h.tags || []).map((x) => span(tagClass(x), x)));
  document.getElementById("hd-wechat").textContent = h.wechat_contact
    ? t("js.wechat_by", me.officers[h.wechat_contact] || "", h.wechat_added_at ? clock(h.wechat_added_at) : "")
    : t("household.wechat_none");
  document.getElementById("hd-last").textContent = ago(h.last_visited_at);
  document.getElementById("hd-notes").textContent = h.notes || "—";
  const visit = document.getElementById("hd-visit");
  visit.href = "/visits/new?household=" + h.id;
  show(visit, !h.archived);
  const edit = document.getElementById("hd-edit");
  edit.href = "/households/" + h.id + "/edit";
  show(edit, !h.archived);
  document.getElementById("hd-report").href = "/patrols/report?household=" + h.id;
  // Its holiday watches: open ones first, with where they stand today.
  const today = day(Date.now());
  const ws = await ofHousehold(id);
  const open = ws.filter((w) => w.status === "active");
  const register = document.getElementById("hd-watch-new");
  register.href = "/watches/new?household=" + h.id;
  show(register, !h.archived && open.length === 0);
  const wl = document.getElementById("hd-watches");
  wl.replaceChildren(...(await Promise.all(ws.slice(0, 5).map(async (w) => {
    const p = progress(w, await checksOf(w.id), today);
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "item";
    a.href = "/watches/" + w.id;
    a.append(span("title", t("watch.window_text", w.from, w.to)), document.createTextNode(" "),
      span(w.status === "active" ? "tag ok" : "tag", t("watch.status." + w.status)));
    if (p.overdue.length > 0) a.append(document.createTextNode(" "), span("tag bad", t("watch.js_overdue", p.overdue.length)));
    if (w._pending) a.append(span("pending-mark", " " + t("js.pending")));
    li.append(a);
    return li;
  }))));
  if (ws.length === 0) {
    const li = document.createElement("li");
    li.className = "muted small";
    li.textContent = t("watch.none");
    wl.append(li);
  }

  const visits = (await byIndex("visits", "household", id)).sort((a, b) => (a.visited_at < b.visited_at ? 1 : -1));
  const list = document.getElementById("hd-history");
  list.replaceChildren(...visits.map((v) => visitItem(v, h, me, false)));
  if (visits.length === 0) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = t("visit.none_yet");
    list.append(li);
  }
  // Handovers of its community: history stays true (visits stay with the
  // officer who made them).
  for (const ho of (me.handovers || []).filter((x) => x.community === h.community)) {
    const li = document.createElement("li");
    li.className = "handover small muted";
    li.textContent = t("js.handover_line", day(ho.at), ho.from, ho.to);
    list.append(li);
  }
}

// visitItem is one visit in a list; withAddress for lists across households.
export function visitItem(v, h, me, withAddress) {
  const li = fromTemplate("tpl-visit");
  li.querySelector("a").href = "/visits/" + v.id;
  const who = me.officers[v.officer] || (v.officer === me.officer.id ? me.officer.name : "");
  fill(li, {
    title: withAddress ? (h ? h.address : "") : clock(v.visited_at) + " · " + t("kind." + v.kind),
    meta: (withAddress ? clock(v.visited_at) + " · " : "") + who,
    notes: v.notes,
  });
  const outcome = li.querySelector('[data-f="outcome"]');
  outcome.replaceChildren(span(v.outcome === "met" ? "tag ok" : v.outcome === "refused" ? "tag bad" : "tag", t("outcome." + v.outcome)));
  if (v.wechat_added) outcome.append(span("tag ok", t("visit.wechat_added")));
  if (v.kind === "holiday_check" && v.check_result) outcome.append(span(v.check_result === "abnormal" ? "tag bad" : "tag ok", t("check." + v.check_result)));
  const sync = li.querySelector('[data-f="sync"]');
  if (v._attention) sync.replaceChildren(span("attention-mark", " " + t("js.needs_attention")));
  else if (v._pending) sync.replaceChildren(span("pending-mark", " " + t("js.pending")));
  return li;
}
