// app.js: the field app's entry module. It registers the service worker,
// routes between the field screens of the shell without touching the
// network, and keeps the replica and the outbox moving: on start, on
// "online", when the app comes back to the foreground, on every websocket
// (re)connect, when the service worker relays a Background Sync, and on a
// timer while anything is pending.

import { REPLICA, meta, setMeta, tx, wipe } from "./db.js";
import { connect } from "./live.js";
import { go, setRouter } from "./nav.js";
import { attention, drain, pending } from "./outbox.js";
import { pull, pullAll, refillTokens, refreshMe } from "./replica.js";
import { clock, emit, HTTPError, newId, on, setRules, setZone, t } from "./util.js";
import * as today from "./screens/today.js";
import * as households from "./screens/households.js";
import * as householdForm from "./screens/household_form.js";
import * as visitForm from "./screens/visit_form.js";
import * as visit from "./screens/visit.js";
import * as watch from "./screens/watch.js";
import * as patrols from "./screens/patrols.js";

// The screens and their URL patterns come from the server's route list
// (app/routes.go), which also generates the service worker's field paths.
const renderers = {
  today: today.render,
  households: households.renderSearch,
  "household-form": householdForm.render,
  household: households.renderDetail,
  "visit-form": visitForm.render,
  visit: (id, q) => (q.has("edit") ? visitForm.render(id, q) : visit.render(id, q)),
  "watch-form": watch.renderForm,
  watch: watch.render,
  "shift-form": patrols.renderShift,
  "report-form": patrols.renderReport,
};
const routes = JSON.parse(document.getElementById("zf-screens").textContent)
  .map((s) => [new RegExp(s.pattern), s.name, renderers[s.name]]);

let current = null; // { name, render, id }
let navigation = 0; // counts route() calls: only the latest shows its screen

function match(pathname) {
  for (const [re, name, render] of routes) {
    const m = re.exec(pathname);
    if (m) return { name, render, id: m[1] };
  }
  return null;
}

// route renders the screen for the current location and only then shows
// it: a screen is never visible before its handlers are attached and its
// data drawn, so a tap can never reach a form that is not wired (which
// would submit it natively and lose the visit).
async function route() {
  const r = match(location.pathname);
  if (!r) {
    location.reload(); // not a field path: let the server answer
    return;
  }
  const q = new URLSearchParams(location.search);
  const mine = ++navigation;
  current = r;
  try {
    await r.render(r.id, q);
  } catch (err) {
    console.error(err);
  }
  if (mine !== navigation) return; // the officer has moved on meanwhile
  const visible = r.name === "visit" && q.has("edit") ? "visit-form" : r.name;
  for (const el of document.querySelectorAll("[data-screen]")) el.hidden = el.dataset.screen !== visible;
  document.getElementById("boot").hidden = true;
  for (const a of document.querySelectorAll("nav.tabs a")) {
    const here = a.getAttribute("href") === "/" ? location.pathname === "/" : location.pathname.startsWith(a.getAttribute("href"));
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

setRouter(route);

document.addEventListener("click", (e) => {
  const a = e.target.closest("a");
  if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !match(url.pathname)) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
addEventListener("popstate", route);

// Re-render the visible screen when its data changes (a pull, a save, an
// answer from the server), unless the officer is typing in a form.
on("replica", () => {
  if (current && !["household-form", "visit-form", "watch-form", "shift-form", "report-form"].includes(current.name)) current.render(current.id, new URLSearchParams(location.search));
});
on("targets", () => {
  if (current && current.name === "today") today.render(current.id, new URLSearchParams(location.search));
});

// ---- sync ----------------------------------------------------------------

let live = null;
let signedOut = false; // the session expired: sign in again, the outbox waits

async function syncNow() {
  if (!navigator.onLine) return;
  try {
    const me = await refreshMe();
    signedOut = false;
    setZone(me.settings.timezone);
    setRules(me.rules);
    await adopt(me);
    await drain(true);
    await pullAll();
    await refillTokens();
    keepMaps(me).catch(() => {});
  } catch (err) {
    if (err instanceof HTTPError && err.status === 401) signedOut = true;
  }
  updateStatus();
}

// keepMaps keeps, once a day, the patrol map of each of the officer's
// communities and its plan image in the caches the service worker reads
// them from (sw.js: zf-pages, zf-plans), for a stairwell with no signal.
async function keepMaps(me) {
  const today = new Date().toISOString().slice(0, 10);
  if (!self.caches || (await meta("maps_kept")) === today) return;
  const [pages, plans] = await Promise.all([caches.open("zf-pages"), caches.open("zf-plans")]);
  for (const c of me.officer.communities) {
    const url = "/patrols/map?community=" + encodeURIComponent(c);
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok || res.redirected) continue;
    await pages.put(url, res.clone());
    const plan = /\/patrols\/plan\/[^"'\s]+/.exec(await res.text());
    if (!plan) continue;
    const src = plan[0].replaceAll("&amp;", "&");
    if (await plans.match(src)) continue;
    const img = await fetch(src, { credentials: "same-origin" });
    if (img.ok) await plans.put(src, img);
  }
  await setMeta("maps_kept", today);
}

// adopt makes the phone the signed-in officer's. When another officer signs
// in on a shared phone, the previous officer's area, token book and parked
// items go; their unsynced records stay in the outbox, marked as theirs,
// until they sign in again (they are never pushed under another name).
async function adopt(me) {
  const owner = await meta("owner");
  if (owner === me.officer.id) return;
  if (owner) {
    await wipe([...REPLICA, "tokens", "attention"]);
    await tx("meta", "readwrite", (s) => {
      for (const c of REPLICA) s.meta.delete("cp:" + c);
      s.meta.delete("scope");
      s.meta.put(me.targets, "targets");
    });
    emit("replica", { collection: "*" });
  }
  await setMeta("owner", me.officer.id);
}

on("signed-out", () => {
  signedOut = true;
  updateStatus();
});
on("repull", (d) => pull(d.collection).catch(() => {}));
on("identity", () => syncNow());

async function updateStatus() {
  const chip = document.getElementById("sync-status");
  if (!chip) return;
  const [items, parked, last] = await Promise.all([pending(), attention(), meta("last_sync")]);
  const n = items.length;
  const problems = parked.filter((a) => a.kind !== "merged").length;
  let text;
  let cls = "sync-chip ok";
  chip.onclick = null;
  if (signedOut) {
    text = t("js.signed_out");
    cls = "sync-chip attention";
    chip.onclick = () => location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
  } else if (problems > 0) {
    text = t("js.status_attention", problems);
    cls = "sync-chip attention";
  } else if (n > 0) {
    text = navigator.onLine ? t("js.status_pending", n) : t("js.status_offline_pending", n);
    cls = "sync-chip pending";
  } else if (!navigator.onLine) {
    text = t("js.status_offline");
  } else {
    text = last ? t("js.status_synced", clock(last)) : t("js.status_synced_never");
  }
  chip.textContent = text;
  chip.className = cls;
  chip.dataset.pending = String(n);
  if (live) live.send({ type: "status", pending: n });
}

on("sync", updateStatus);
on("replica", updateStatus);
addEventListener("online", () => {
  updateStatus();
  syncNow();
});
addEventListener("offline", updateStatus);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") syncNow();
});
setInterval(async () => {
  if ((await pending()).length > 0) drain().catch(() => {});
  updateStatus();
}, 30000);

// ---- sign-out guard --------------------------------------------------------

function guardLogout() {
  for (const form of document.querySelectorAll("form.logout")) guard(form);
}

function guard(form) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (signedOut) {
      // Nothing to end: sign in again; the outbox is kept for it.
      location.assign("/login");
      return;
    }
    const me = await meta("me");
    const mine = (await pending()).filter((x) => !x.officer || !me || x.officer === me.officer.id).length;
    const parked = (await attention()).filter((a) => a.kind === "invalid").length;
    if (mine + parked > 0) {
      alert(mine > 0 ? t("js.logout_blocked", mine) : t("js.logout_parked", parked));
      drain(true).catch(() => {});
      return;
    }
    // Sign out at the server first (which revokes this device's unused QR
    // tokens): only then may the phone forget.
    let ok = false;
    try {
      const body = new URLSearchParams(new FormData(form));
      body.set("device", (await meta("device")) || "");
      const res = await fetch(form.action, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
      ok = res.ok || res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400);
    } catch (_) {
      ok = false;
    }
    if (!ok) {
      alert(t("js.logout_offline"));
      return;
    }
    // A shared phone must not keep the last officer's area.
    await wipe();
    if (self.caches) for (const k of await caches.keys()) await caches.delete(k);
    location.assign("/login");
  });
}

// ---- start -----------------------------------------------------------------

async function start() {
  guardLogout();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch((err) => console.warn("service worker", err));
    navigator.serviceWorker.addEventListener("message", (e) => {
      if (e.data && e.data.type === "drain") drain(true).catch(() => {});
    });
  }
  if (navigator.storage && navigator.storage.persist && !(await meta("persisted"))) {
    navigator.storage.persist().then((granted) => setMeta("persisted", granted)).catch(() => {});
  }
  let device = await meta("device");
  if (!device) {
    device = newId();
    await setMeta("device", device);
  }
  const me = await meta("me");
  if (me) {
    setZone(me.settings.timezone);
    setRules(me.rules);
  }
  if (!me && navigator.onLine) await syncNow();
  if (!(await meta("me"))) {
    document.getElementById("boot").textContent = t("js.first_run_offline");
    return;
  }
  await route();
  updateStatus();
  live = connect({
    onOpen: async (send) => {
      send({ type: "hello", device, app_version: (await meta("me")).app_version, pending: (await pending()).length });
      syncNow();
    },
    onMessage: async (msg) => {
      if (msg.type === "targets") {
        await setMeta("targets", msg);
        emit("targets", msg);
      } else if (msg.type === "changed") {
        for (const c of msg.collections || []) {
          if (REPLICA.includes(c)) await pull(c).catch(() => {});
        }
      }
    },
  });
  syncNow();
}

start();
