// outbox.js: nothing typed is lost, everything reaches the server once.
//
// Saving writes the record into the replica and an outbox entry in one
// IndexedDB transaction. drain() sends the outbox to POST /sync/push —
// households before visits, and a visit only once its household is on the
// server — and acts on each item's answer (DESIGN §6):
//   created, exists, updated  the entry is done: deleted, the server's copy kept
//   duplicate                 a household made at the door existed: visits are re-linked to it
//   conflict                  the server's copy is kept; the officer is told
//   invalid                   parked under "needs attention" with the reason
//   error, network, 5xx       kept; retried later with exponential backoff
// An entry edited again while its push was in flight is kept and rebased on
// the server's answer. Entries belong to the officer who made them: another
// officer signed in on the same phone never pushes them under their name.
// Drains are serialised across tabs with navigator.locks.

import { REPLICA, getAll, meta, req, setMeta, tx } from "./db.js";
import { emit, fetchJSON, HTTPError } from "./util.js";

// A push's limits come from the server's rules (/sync/me); these stand in
// before it first loads.
const MAX_ITEMS = 1000;
const MAX_BYTES = 4 * 1024 * 1024;
const ENVELOPE = 64 * 1024; // room left for the envelope
const BACKOFF_MIN = 2000;
const BACKOFF_MAX = 5 * 60 * 1000;

// enqueue puts a record into the replica and its outbox entry in one
// transaction. make(stores) returns the record (it may take a QR token in
// the same transaction); local is merged into the replica copy only
// (display fields the server will fill in). For a household, op is
// "create" or "update"; an update of one still waiting to be created stays
// a create. Resolves with the record once it is on disk.
export async function enqueue(collection, make, op, local) {
  const doc = await tx([collection, "outbox", "tokens", "meta", "attention"], "readwrite", async (s) => {
    const doc = await make(s);
    const me = await req(s.meta.get("me"));
    const key = collection + ":" + doc.id;
    const prev = await req(s.outbox.get(key));
    // A second edit before the first reached the server is still based on
    // the copy the first one was made on.
    if (prev && prev.doc && "base_rev" in prev.doc) doc.base_rev = prev.doc.base_rev;
    s.outbox.put({
      key,
      collection,
      id: doc.id,
      op: prev && prev.op === "create" ? "create" : op,
      doc: stripLocal(doc),
      rev: prev ? prev.rev + 1 : 1,
      officer: me ? me.officer.id : "",
      queued_at: new Date().toISOString(),
    });
    // The replica copy keeps the server's fields the form does not carry
    // (rev, updated, phones_display …) until the answer brings new ones.
    const before = await req(s[collection].get(doc.id));
    s[collection].put({ ...(before || {}), ...doc, ...(local || {}), _pending: true, _attention: false });
    s.attention.delete(key);
    return doc;
  });
  emit("replica", { collection });
  emit("sync", {});
  requestBackgroundSync();
  drain().catch(() => {});
  return doc;
}

// stripLocal drops the device-only fields (_pending, …) before a push.
function stripLocal(doc) {
  const out = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith("_")) out[k] = v;
  return out;
}

function requestBackgroundSync() {
  if (typeof navigator === "undefined" || !navigator.serviceWorker) return;
  navigator.serviceWorker.ready
    .then((reg) => reg.sync && reg.sync.register("outbox"))
    .catch(() => {});
}

export const pending = () => getAll("outbox");
export const attention = () => getAll("attention");

// dismiss forgets a parked item. With discard it also gives up the
// record: one the server never had is deleted from the phone (a household
// with the visits waiting for it); for a refused edit the phone takes the
// server's copy again by pulling the collection afresh.
export async function dismiss(key, discard) {
  let repull = null;
  await tx(["attention", ...REPLICA, "outbox", "meta"], "readwrite", async (s) => {
    const item = await req(s.attention.get(key));
    s.attention.delete(key);
    if (!item || !discard || item.kind !== "invalid") return;
    if (item.op === "create") {
      s[item.collection].delete(item.id);
      if (item.collection === "holiday_watches") {
        // Its checks cannot stand without it.
        for (const e of await req(s.outbox.getAll())) {
          if (e.collection === "visits" && e.doc.watch === item.id) {
            s.outbox.delete(e.key);
            s.visits.delete(e.id);
          }
        }
        s.meta.delete("watchlink:" + item.id);
      }
      if (item.collection === "households") {
        for (const e of await req(s.outbox.getAll())) {
          if (e.collection === "visits" && e.doc.household === item.id) s.outbox.delete(e.key);
        }
        for (const v of await req(s.visits.index("household").getAll(item.id))) {
          s.visits.delete(v.id);
          s.attention.delete("visits:" + v.id);
        }
      }
    } else {
      s.meta.delete("cp:" + item.collection);
      repull = item.collection;
    }
  });
  emit("sync", {});
  emit("replica", { collection: "*" });
  if (repull) emit("repull", { collection: repull });
}

let draining = null;

// drain pushes the outbox now (unless backing off, or force is false and a
// drain is running). Resolves when this drain is over.
export function drain(force) {
  if (draining && !force) return draining;
  const run = () => (navigator.locks
    ? navigator.locks.request("zoufang-outbox", () => drainLocked(force))
    : drainLocked(force));
  draining = run().finally(() => {
    draining = null;
  });
  return draining;
}

// PUSH_ORDER is the order the server applies a push's collections in
// (me.rules.push_order): a visit finds the household made at the door and
// the watch registered with it.
const PUSH_ORDER = ["households", "holiday_watches", "patrol_shifts", "patrol_reports", "visits"];

// ready picks the collection to push next and its entries that can go now:
// the phone's owner's (the officer last confirmed signed in), and a record
// only once what it points at is on the server — not still in the outbox,
// not refused and waiting for the officer's correction.
async function ready(owner, order) {
  const mine = (await getAll("outbox")).filter((e) => !e.officer || e.officer === owner);
  const parked = await getAll("attention");
  const waiting = (collection) => new Set([
    ...mine.filter((e) => e.collection === collection).map((e) => e.id),
    ...parked.filter((a) => a.collection === collection && a.kind === "invalid" && a.op === "create").map((a) => a.id),
  ]);
  const households = waiting("households");
  const watches = waiting("holiday_watches");
  const blocked = (e) => (e.collection !== "households" && households.has(e.doc.household)) ||
    (e.collection === "visits" && e.doc.watch && watches.has(e.doc.watch));
  for (const collection of order) {
    const entries = mine.filter((e) => e.collection === collection && !blocked(e));
    if (entries.length > 0) return [collection, entries];
  }
  return [order[order.length - 1], []];
}

async function drainLocked(force) {
  const state = (await meta("sync_state")) || { failures: 0, next: 0 };
  if (!force && Date.now() < state.next) return;
  const owner = await meta("owner");
  if (!owner) return; // who is signed in is not confirmed yet: wait for /sync/me
  emit("sync", { draining: true });
  try {
    const me = await meta("me");
    const rules = (me && me.rules) || {};
    const bytes = (rules.max_push_bytes || MAX_BYTES) - ENVELOPE;
    const order = rules.push_order || PUSH_ORDER;
    let size = rules.max_push_items || MAX_ITEMS;
    let lastRound = "";
    for (;;) {
      const [collection, entries] = await ready(owner, order);
      if (entries.length === 0) break;
      const batch = chunk(entries, size, bytes);
      const round = batch.map((e) => e.key + "#" + e.rev).join(",");
      if (round === lastRound) throw new HTTPError(500, null); // no progress: let the backoff decide
      lastRound = round;
      try {
        await pushBatch(collection, batch, owner);
      } catch (err) {
        if (!refusedWhole(err)) throw err;
        // The server refused the push as a whole (too large, or a body it
        // could not read at all): halve it until the one item at fault
        // stands alone, and park that one, so nothing else waits behind it.
        if (batch.length > 1) {
          size = Math.max(1, Math.floor(batch.length / 2));
          lastRound = "";
          continue;
        }
        await settle(batch[0], { status: "invalid", message: err.message, errors: (err.body && err.body.error && err.body.error.fields) || {} });
        emit("replica", { collection: "*" });
        lastRound = "";
      }
    }
    await setMeta("sync_state", { failures: 0, next: 0, last_ok: new Date().toISOString() });
    await setMeta("last_sync", new Date().toISOString());
    emit("sync", { ok: true });
  } catch (err) {
    const failures = state.failures + 1;
    const wait = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (failures - 1));
    const jittered = wait / 2 + Math.random() * (wait / 2);
    await setMeta("sync_state", { ...state, failures, next: Date.now() + jittered, error: err.status || 0 });
    emit("sync", { failed: true, status: err.status || 0 });
    if (err.status === 401) emit("signed-out", {});
    else if (err.status === 409) emit("identity", {}); // someone else is signed in: find out who
    else setTimeout(() => drain().catch(() => {}), jittered + 50);
  }
}

// refusedWhole: an answer that refuses the push as a whole for what it
// holds, not for who sent it or when (401 signed out, 409 another
// officer, 429 too fast, 5xx the server's trouble are retried or acted on
// elsewhere).
function refusedWhole(err) {
  return err instanceof HTTPError && err.status >= 400 && err.status < 500 && ![401, 408, 409, 429].includes(err.status);
}

// chunk takes entries up to max items and maxBytes of JSON.
function chunk(entries, max, maxBytes) {
  const out = [];
  let bytes = 0;
  for (const e of entries) {
    const n = JSON.stringify(e.doc).length + 64;
    if (out.length >= max || (out.length > 0 && bytes + n > maxBytes)) break;
    out.push(e);
    bytes += n;
  }
  return out;
}

async function pushBatch(collection, batch, owner) {
  const body = { officer: owner };
  body[collection] = batch.map((e) => (collection === "households" ? { ...e.doc, op: e.op } : e.doc));
  const ans = await fetchJSON("/sync/push", { method: "POST", body: JSON.stringify(body) });
  const sent = new Map(batch.map((e) => [e.id, e]));
  let retryLater = false;
  for (const r of ans.results) {
    const entry = sent.get(r.id);
    if (!entry) continue;
    if (r.status === "error") {
      retryLater = true;
      continue;
    }
    await settle(entry, r);
  }
  emit("replica", { collection: "*" });
  emit("sync", {});
  if (retryLater) throw new HTTPError(500, null);
}

// settle applies the server's answer for one entry.
async function settle(entry, r) {
  const { collection, key, id, op } = entry;
  const at = new Date().toISOString();
  await tx([collection, "visits", "outbox", "attention", "meta"], "readwrite", async (s) => {
    const current = await req(s.outbox.get(key));
    const editedMeanwhile = current && current.rev !== entry.rev;
    // refuse parks the item with the server's reason; it is never retried
    // on its own.
    const refuse = async () => {
      if (!editedMeanwhile) s.outbox.delete(key);
      s.attention.put({ key, kind: "invalid", collection, id, op, message: r.message || "", errors: r.errors || {}, doc: entry.doc, at });
      const local = await req(s[collection].get(id));
      if (local) s[collection].put({ ...local, _pending: false, _attention: true });
    };
    switch (r.status) {
      case "created":
      case "exists":
      case "updated":
        if (editedMeanwhile) {
          // Keep the newer edit, now as an edit of what the server holds.
          current.op = "update";
          if (collection === "households" && r.doc) current.doc.base_rev = r.doc.rev;
          s.outbox.put(current);
        } else {
          s.outbox.delete(key);
          if (r.doc) {
            const { summary_url: url, summary_qr: qr, ...doc } = r.doc;
            // A new watch's answer draws the resident's link as a QR, once.
            if (collection === "holiday_watches" && url) s.meta.put({ url, qr_svg: qr || "" }, "watchlink:" + id);
            s[collection].put(doc);
          }
        }
        if (collection === "households") await requeueVisitsOf(s, entry.officer, id);
        break;
      case "duplicate": {
        if (op !== "create") { // an edit is never merged
          await refuse();
          break;
        }
        // The door was registered already: use that household, and point
        // this phone's visits of the local one at it.
        s.outbox.delete(key);
        s.households.delete(id);
        if (r.doc) s.households.put(r.doc);
        const target = r.duplicate_of;
        for (const e of await req(s.outbox.getAll())) {
          if (e.collection === "visits" && e.doc.household === id) {
            e.doc.household = target;
            s.outbox.put(e);
          }
        }
        for (const v of await req(s.visits.index("household").getAll(id))) s.visits.put({ ...v, household: target });
        s.attention.put({ key, kind: "merged", collection, id, op, message: r.message || "", doc: entry.doc, server: r.doc, at });
        await requeueVisitsOf(s, entry.officer, target, id);
        break;
      }
      case "conflict":
        // The server's copy stands; keep it and show the officer what they
        // had typed.
        if (!editedMeanwhile) s.outbox.delete(key);
        if (r.doc) s[collection].put(r.doc);
        s.attention.put({ key, kind: "conflict", collection, id, op, message: r.message || "", doc: entry.doc, server: r.doc, at });
        break;
      default:
        await refuse();
    }
  });
}

// requeueVisitsOf puts back into the outbox the visits parked because
// their household was not on the server yet (it now is, as id; was is the
// local id it had before a merge).
async function requeueVisitsOf(s, officer, id, was) {
  for (const a of await req(s.attention.getAll())) {
    if (a.collection !== "visits" || a.kind !== "invalid" || (a.doc.household !== id && a.doc.household !== was)) continue;
    const fields = a.errors || {};
    if (!fields.household) continue; // refused for another reason: the officer decides
    const doc = { ...a.doc, household: id };
    s.attention.delete(a.key);
    s.outbox.put({ key: a.key, collection: "visits", id: a.id, op: a.op || "create", doc, rev: 1, officer, queued_at: new Date().toISOString() });
    const local = await req(s.visits.get(a.id));
    if (local) s.visits.put({ ...local, household: id, _pending: true, _attention: false });
  }
}
