// db.js: the field app's one IndexedDB helper. Every read and write of the
// local replica goes through tx(), which resolves when its transaction
// completes (after idb-keyval's promisify), so "saved" means on disk.
//
// Stores (schema version 2):
//   households, visits, holiday_watches  the replica, keyed by id
//   patrol_teams, volunteers, patrol_shifts, patrol_reports, disputes
//              the patrols and the disputes the officer leads (version 2)
//   tokens     the QR token book, keyed by visit_id
//   outbox     writes waiting for the server, keyed "collection:id"
//   attention  items the server refused, with its reason, keyed like outbox
//   meta       key → value: checkpoints, me, targets, device id, sync state

const NAME = "zoufang";
const VERSION = 2;

// REPLICA are the replicated collections, in the order a device pulls
// them (replica.Collections on the server).
export const REPLICA = ["households", "visits", "holiday_watches", "patrol_teams", "volunteers", "patrol_shifts", "patrol_reports", "disputes"];

let opening = null;

// open returns the database, creating or upgrading its schema.
export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion);
      req.onsuccess = () => {
        const db = req.result;
        // Another tab opened a newer schema: let it, and reopen next time.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        opening = null;
        reject(req.error);
      };
    });
  }
  return opening;
}

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore("households", { keyPath: "id" });
    const visits = db.createObjectStore("visits", { keyPath: "id" });
    visits.createIndex("household", "household");
    visits.createIndex("visited_at", "visited_at");
    db.createObjectStore("holiday_watches", { keyPath: "id" });
    db.createObjectStore("tokens", { keyPath: "visit_id" });
    db.createObjectStore("outbox", { keyPath: "key" });
    db.createObjectStore("attention", { keyPath: "key" });
    db.createObjectStore("meta");
  }
  if (oldVersion < 2) {
    for (const name of ["patrol_teams", "volunteers", "patrol_shifts", "patrol_reports", "disputes"]) db.createObjectStore(name, { keyPath: "id" });
  }
}

// req turns an IDBRequest into a promise of its result.
export function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

// tx runs fn(stores) in one transaction over names and resolves with fn's
// result once the transaction has committed. fn may await req(...) of its
// own stores, but nothing else, or the transaction closes early.
export async function tx(names, mode, fn) {
  const db = await open();
  const list = [...new Set([].concat(names))];
  return new Promise((resolve, reject) => {
    const t = db.transaction(list, mode);
    const stores = {};
    for (const n of list) stores[n] = t.objectStore(n);
    let result;
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new DOMException("transaction aborted", "AbortError"));
    Promise.resolve()
      .then(() => fn(stores, t))
      .then((r) => {
        result = r;
      }, (err) => {
        try {
          t.abort();
        } catch (_) {
          // already finished
        }
        reject(err);
      });
  });
}

export const get = (store, key) => tx(store, "readonly", (s) => req(s[store].get(key)));
export const getAll = (store) => tx(store, "readonly", (s) => req(s[store].getAll()));
export const count = (store) => tx(store, "readonly", (s) => req(s[store].count()));
export const put = (store, value, key) => tx(store, "readwrite", (s) => req(key === undefined ? s[store].put(value) : s[store].put(value, key)));
export const del = (store, key) => tx(store, "readwrite", (s) => req(s[store].delete(key)));

// meta reads a value of the meta store.
export const meta = (key) => get("meta", key);
export const setMeta = (key, value) => put("meta", value, key);

// byIndex lists the records of store whose index equals value.
export const byIndex = (store, index, value) =>
  tx(store, "readonly", (s) => req(s[store].index(index).getAll(value)));

// wipe empties every store (sign-out on a shared phone, or a new scope).
export async function wipe(names) {
  const db = await open();
  const list = names || Array.from(db.objectStoreNames);
  return tx(list, "readwrite", (s) => Promise.all(list.map((n) => req(s[n].clear()))));
}
