// replica.js: keeps the device's copy of the officer's area current by the
// pull protocol (DESIGN §6): per collection, pages ordered by (updated, id)
// after the stored checkpoint, tombstones included. A changed scope (the
// officer's communities were reassigned) drops the replica and starts over.

import { decodePage } from "./cols.js";
import { REPLICA, meta, req, setMeta, tx, wipe } from "./db.js";
import { emit, fetchJSON } from "./util.js";

// PAGE is the page asked for before the server has said its largest
// (rules.max_pull_page): the compact form compresses better the more
// documents a page holds.
const PAGE = 1000;

let running = null;

// pullAll pulls every replicated collection; concurrent calls share one run.
export function pullAll() {
  if (!running) {
    running = (async () => {
      try {
        for (const c of REPLICA) await pull(c);
        await pruneVisits();
        await setMeta("last_pull", new Date().toISOString());
      } finally {
        running = null;
      }
    })();
  }
  return running;
}

// pull brings one collection up to date, page by page.
export async function pull(collection) {
  const me = await meta("me");
  const limit = (me && me.rules && me.rules.max_pull_page) || PAGE;
  for (;;) {
    const cp = (await meta("cp:" + collection)) || { updated: "", id: "" };
    const q = new URLSearchParams({ collection, updated: cp.updated, id: cp.id, limit: String(limit), form: "cols" });
    const ans = await fetchJSON("/sync/pull?" + q);
    // The page comes in columns (a third of the bytes); from here on it is
    // documents, as the full form has them.
    const docs = decodePage(collection, ans);
    const scope = await meta("scope");
    if (scope && scope !== ans.scope) {
      await resetReplica(ans.scope);
      continue;
    }
    await tx([collection, "outbox", "meta"], "readwrite", async (s) => {
      if (!scope) s.meta.put(ans.scope, "scope");
      // A local edit still waiting in the outbox wins on the device until
      // the server has answered it.
      const pending = new Set(await req(s.outbox.getAllKeys()));
      for (const doc of docs) {
        if (!pending.has(collection + ":" + doc.id)) s[collection].put(doc);
      }
      s.meta.put(ans.checkpoint, "cp:" + collection);
    });
    if (docs.length > 0) emit("replica", { collection });
    if (!ans.more) return;
  }
}

// resetReplica drops the replicated collections and their checkpoints, but
// never the outbox: what the officer typed is pushed regardless.
async function resetReplica(scope) {
  await wipe(REPLICA);
  await tx("meta", "readwrite", (s) => {
    for (const c of REPLICA) s.meta.delete("cp:" + c);
    s.meta.put(scope, "scope");
  });
  emit("replica", { collection: "*" });
}

// pruneVisits forgets synced visits older than the replica window, and
// shifts and closed reports the server no longer sends (older than its
// 30-day share).
async function pruneVisits() {
  const me = await meta("me");
  if (!me) return;
  const month = new Date(Date.now() - 31 * 86400000).toISOString();
  await tx(["patrol_shifts", "patrol_reports", "outbox"], "readwrite", async (s) => {
    for (const sh of await req(s.patrol_shifts.getAll())) {
      if (sh.date < month.slice(0, 10) && !(await req(s.outbox.get("patrol_shifts:" + sh.id)))) s.patrol_shifts.delete(sh.id);
    }
    for (const r of await req(s.patrol_reports.getAll())) {
      if (r.closed_at && r.closed_at < month && !(await req(s.outbox.get("patrol_reports:" + r.id)))) s.patrol_reports.delete(r.id);
    }
  });
  const cut = new Date(Date.now() - me.rules.keep_visits_ms).toISOString();
  await tx(["visits", "outbox"], "readwrite", async (s) => {
    const old = await req(s.visits.index("visited_at").getAll(IDBKeyRange.upperBound(cut, true)));
    for (const v of old) {
      const pending = await req(s.outbox.get("visits:" + v.id));
      if (!pending) s.visits.delete(v.id);
    }
  });
}

// refreshMe fetches the officer, the station's rules and today's targets.
export async function refreshMe() {
  const me = await fetchJSON("/sync/me");
  await tx("meta", "readwrite", (s) => {
    s.meta.put(me, "me");
    s.meta.put(me.targets, "targets");
  });
  emit("targets", me.targets);
  return me;
}

// A token about to expire is not handed out (the resident may scan it
// days later); it stays only for the visits that already used it.
const usable = (tk, margin) => !tk.used && Date.parse(tk.expires_at) - Date.now() > margin;

let refilling = null;

// refillTokens tops this device's QR token book up to the station's size.
// It tells the server every token it holds: the server revokes the ones
// issued to this device that it does not hold (an answer lost on the way)
// and fills the book by its own count. Refills never overlap (one in this
// tab, navigator.locks across tabs), so two at start-up issue one book.
export function refillTokens() {
  if (!refilling) {
    const run = () => (navigator.locks ? navigator.locks.request("zoufang-tokens", refillLocked) : refillLocked());
    refilling = run().finally(() => {
      refilling = null;
    });
  }
  return refilling;
}

async function refillLocked() {
  const [me, device] = await Promise.all([meta("me"), meta("device")]);
  if (!me || !device) return 0;
  const margin = me.rules.token_margin_ms;
  const now = new Date().toISOString();
  const [held, have] = await tx("tokens", "readwrite", async (s) => {
    const all = await req(s.tokens.getAll());
    const ids = [];
    let n = 0;
    for (const tk of all) {
      if (tk.expires_at <= now) {
        s.tokens.delete(tk.visit_id);
        continue;
      }
      ids.push(tk.visit_id);
      if (usable(tk, margin)) n++;
    }
    return [ids, n];
  });
  const ans = await fetchJSON("/sync/tokens", { method: "POST", body: JSON.stringify({ device, held, usable: have }) });
  if (ans.tokens.length > 0) {
    await tx("tokens", "readwrite", (s) => {
      for (const tk of ans.tokens) s.tokens.put(tk);
    });
  }
  return have + ans.tokens.length;
}

// takeToken marks the next unused, unexpired token used and returns it (its
// visit_id becomes the visit's id; the visit screen shows its QR), or null
// when the book is empty. s is an open transaction's stores (with meta).
export async function takeToken(s) {
  const me = await req(s.meta.get("me"));
  const margin = me ? me.rules.token_margin_ms : 0;
  const all = await req(s.tokens.getAll());
  all.sort((a, b) => (a.expires_at < b.expires_at ? -1 : 1));
  for (const tk of all) {
    if (!usable(tk, margin)) continue;
    tk.used = true;
    s.tokens.put(tk);
    return tk;
  }
  return null;
}
