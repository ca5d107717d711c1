// zoufang's service worker. The server fills in VERSION (derived from the
// asset hashes) and PRECACHE (every hashed asset, the field shell and the
// offline page) when it starts. Strategies are named after Jake Archibald's
// offline cookbook; the fetch handler picks one per URL.
const VERSION = "__VERSION__";
const PRECACHE = ["__PRECACHE__"];
const CACHE = "zoufang-" + VERSION;
const SHELL = "/shell";
const OFFLINE = "/offline";
const NETWORK_TIMEOUT_MS = 3000;
// An office page is worth waiting for longer than a field screen, which
// the shell can draw at once; past this the offline page says why.
const OFFICE_TIMEOUT_MS = 15000;
// The patrol map and its plan image, kept for reading offline (DESIGN
// §15). These caches outlive a new version (plan images are immutable by
// file name); sign-out empties every cache.
const PLANS = "zf-plans";
const PAGES = "zf-pages";

// Field screens: served by the shell when the network is slow or gone.
// The server fills them in from its route list (app/routes.go).
const FIELD_PATHS = ["__FIELD_PATHS__"].map((p) => new RegExp(p));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((u) => new Request(u, { cache: "reload", credentials: "same-origin" }))))
      .then(() => self.skipWaiting()),
  );
});

// Versioned caches: everything but this version's goes on activate.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("zoufang-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return; // writes go straight to the network (the outbox retries)
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirst(req, CACHE));
  } else if (url.pathname.startsWith("/patrols/plan/")) {
    event.respondWith(cacheFirst(req, PLANS));
  } else if (url.pathname === "/patrols/map") {
    event.respondWith(networkThenKept(req));
  } else if (req.mode === "navigate") {
    const field = FIELD_PATHS.some((re) => re.test(url.pathname));
    event.respondWith(networkFirstWithTimeout(req, field ? SHELL : OFFLINE, field ? NETWORK_TIMEOUT_MS : OFFICE_TIMEOUT_MS));
  }
  // Everything else (/sync/*, /api/*, /c/*, /ws, /login) is network-only.
});

// cacheFirst: hashed assets and plan images never change, so a cached
// copy is always right.
async function cacheFirst(req, name) {
  const cached = await caches.match(req);
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok) {
    const cache = await caches.open(name);
    cache.put(req, res.clone());
  }
  return res;
}

// networkThenKept: the patrol map from the network, kept for offline;
// offline (or slow), the copy last kept, else the offline page.
async function networkThenKept(req) {
  const network = fetch(req).then((res) => {
    if (res.ok && !res.redirected) caches.open(PAGES).then((c) => c.put(req, res.clone())).catch(() => {});
    return res;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const res = await Promise.race([network, timeout]);
    if (res) return res;
  } catch (_) {
    // offline: fall through to the kept copy
  }
  const kept = await caches.match(req, { cacheName: PAGES });
  if (kept) return kept;
  if (req.mode === "navigate") {
    const offline = await caches.match(OFFLINE);
    if (offline) return offline;
  }
  return network;
}

// networkFirstWithTimeout: a page from the network if it answers soon,
// otherwise the cached fallback. A signed-out answer (a redirect to /login)
// goes through so the officer can sign in again.
async function networkFirstWithTimeout(req, fallback, wait) {
  const network = fetch(req).then((res) => {
    if (res.ok && fallback === SHELL && new URL(res.url).pathname !== "/login") {
      // keep the freshest shell for the next offline start
      caches.open(CACHE).then((c) => c.put(SHELL, res.clone())).catch(() => {});
    }
    return res;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, wait, null));
  try {
    const res = await Promise.race([network, timeout]);
    if (res) return res;
  } catch (_) {
    // offline: fall through to the cache
  }
  const cached = await caches.match(fallback);
  if (cached) return cached;
  return network; // nothing cached yet: wait for the network after all
}

// Background Sync: the page registers "outbox" when a write could not be
// sent; open pages drain it themselves (they hold the lock and the socket).
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") {
    event.waitUntil(
      self.clients.matchAll({ type: "window" }).then((clients) => {
        clients.forEach((c) => c.postMessage({ type: "drain" }));
      }),
    );
  }
});
