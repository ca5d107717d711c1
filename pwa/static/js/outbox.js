// outbox.js: nothing typed is lost, everything reaches the server once.
//
// Saving writes the record into the replica and an outbox entry in one
// IndexedDB transaction. drain() sends the outbox to POST /sync/push —
// households first, so a household made at the door exists before its
// visits — and acts on each item's answer (DESIGN §6):
//   created, exists, updated  the entry is done: deleted, the server's copy kept
//   duplicate                 the household existed: visits are re-linked to it
//   conflict                  the server's copy is kept; the officer is told
//   invalid                   parked under "needs attention" with the reason
//   error, network, 5xx       kept; retried later with exponential backoff
// An entry edited again while its push was in flight is kept (rev guard).
// Drains are serialised across tabs with navigator.locks.

import { getAll, meta, req, setMeta, tx } from "./db.js";
import { emit, fetchJSON, HTTPError } from "./util.js";

const MAX_ITEMS = 1000;
const MAX_BYTES = 4 * 1024 * 1024 - 64 * 1024; // leave room for the envelope
const BACKOFF_MIN = 2000;
const BACKOFF_MAX = 5 * 60 * 1000;

// enqueue puts a record into the replica and its outbox entry in one
// transaction. make(stores) returns the record (it may take a QR token in
// the same transaction); local is merged into the replica copy only
// (display fields the server will fill in). For a household, op is
// "create" or "update"; an update of one still waiting to be created stays
// a create. Resolves with the record once it is on disk.
export async function enqueue(collection, make, op, local) {
  const doc = await tx([collection, "outbox", "tokens"], "readwrite", async (s) => {
    const doc = await make(s);
    const key = collection + ":" + doc.id;
    const prev = await req(s.outbox.get(key));
    // A second edit before the first reached the server is still based on
    // the copy the first one was made on.
    if (prev && prev.doc && "base_updated" in prev.doc) doc.base_updated = prev.doc.base_updated;
    const entry = {
      key,
      collection,
      id: doc.id,
      op: prev && prev.op === "create" ? "create" : op,
      doc: stripLocal(doc),
      rev: prev ? prev.rev + 1 : 1,
      queued_at: new Date().toISOString(),
    };
    s.outbox.put(entry);
    s[collection].put({ ...doc, ...(local || {}), _pending: true });
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

// dismiss forgets a parked item; with discard it also drops the local copy
// of a record the server never accepted.
export async function dismiss(key, discard) {
  await tx(["attention", "households", "visits"], "readwrite", async (s) => {
    const item = await req(s.attention.get(key));
    s.attention.delete(key);
    if (item && discard && item.kind === "invalid") s[item.collection].delete(item.id);
  });
  emit("sync", {});
  emit("replica", { collection: "*" });
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

async function drainLocked(force) {
  const state = (await meta("sync_state")) || { failures: 0, next: 0 };
  if (!force && Date.now() < state.next) return;
  emit("sync", { draining: true });
  try {
    for (const collection of ["households", "visits"]) {
      let size = MAX_ITEMS;
      for (;;) {
        const entries = (await getAll("outbox")).filter((e) => e.collection === collection);
        if (entries.length === 0) break;
        const batch = chunk(entries, size);
        try {
          await pushBatch(collection, batch);
        } catch (err) {
          if (err instanceof HTTPError && err.status === 413 && size > 1) {
            size = Math.max(1, Math.floor(batch.length / 2)); // the server's limit is smaller: halve
            continue;
          }
          throw err;
        }
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
    setTimeout(() => drain().catch(() => {}), jittered + 50);
  }
}

// chunk takes entries up to max items and MAX_BYTES of JSON.
function chunk(entries, max) {
  const out = [];
  let bytes = 0;
  for (const e of entries) {
    const n = JSON.stringify(e.doc).length + 64;
    if (out.length >= max || (out.length > 0 && bytes + n > MAX_BYTES)) break;
    out.push(e);
    bytes += n;
  }
  return out;
}

async function pushBatch(collection, batch) {
  const body = collection === "households"
    ? { households: batch.map((e) => ({ ...e.doc, op: e.op })) }
    : { visits: batch.map((e) => e.doc) };
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
  const { collection, key, id } = entry;
  await tx([collection, "visits", "outbox", "attention"], "readwrite", async (s) => {
    const current = await req(s.outbox.get(key));
    const editedMeanwhile = current && current.rev !== entry.rev;
    switch (r.status) {
      case "created":
      case "exists":
      case "updated":
        if (!editedMeanwhile) {
          s.outbox.delete(key);
          if (r.doc) s[collection].put(r.doc);
        }
        break;
      case "duplicate": {
        // The door (or phone) was registered already: use that household,
        // and point this device's visits of the local one at it.
        s.outbox.delete(key);
        s.households.delete(id);
        if (r.doc) s.households.put(r.doc);
        const target = r.duplicate_of;
        const outboxAll = await req(s.outbox.getAll());
        for (const e of outboxAll) {
          if (e.collection === "visits" && e.doc.household === id) {
            e.doc.household = target;
            s.outbox.put(e);
          }
        }
        const visits = await req(s.visits.index("household").getAll(id));
        for (const v of visits) s.visits.put({ ...v, household: target });
        s.attention.put({ key, kind: "merged", collection, id, message: r.message || "", doc: entry.doc, server: r.doc, at: new Date().toISOString() });
        break;
      }
      case "conflict":
        // The server's copy stands; keep it and show the officer what
        // they had typed.
        if (!editedMeanwhile) s.outbox.delete(key);
        if (r.doc) s[collection].put(r.doc);
        s.attention.put({ key, kind: "conflict", collection, id, message: r.message || "", doc: entry.doc, server: r.doc, at: new Date().toISOString() });
        break;
      default: // invalid: parked, never retried on its own
        if (!editedMeanwhile) s.outbox.delete(key);
        s.attention.put({ key, kind: "invalid", collection, id, message: r.message || "", errors: r.errors || {}, doc: entry.doc, at: new Date().toISOString() });
        {
          const local = await req(s[collection].get(id));
          if (local) s[collection].put({ ...local, _pending: false, _attention: true });
        }
    }
  });
}
