// util.js: small helpers every field module shares: the string catalogue,
// the app's event bus, station-local dates, ids, JSON over fetch, and DOM
// filling by textContent (never innerHTML with data).

let strings = null;

// t returns the catalogue string for key with %s/%d filled from args, as
// the server's i18n.T does. The catalogue comes with the page.
export function t(key, ...args) {
  if (!strings) {
    const el = typeof document !== "undefined" && document.getElementById("zf-strings");
    strings = el ? JSON.parse(el.textContent) : {};
  }
  let s = strings[key];
  if (s === undefined) return key;
  let i = 0;
  return s.replace(/%(\[(\d+)\])?[sd]/g, (_, __, n) => String(n ? args[Number(n) - 1] : args[i++]));
}

// bus carries the app's events: "replica" (data changed), "sync" (outbox or
// connection state changed), "targets".
export const bus = new EventTarget();
export const emit = (type, detail) => bus.dispatchEvent(new CustomEvent(type, { detail }));
export const on = (type, fn) => bus.addEventListener(type, (e) => fn(e.detail));

// The station's time zone; set from /sync/me.
let zone = "Asia/Shanghai";
export const setZone = (z) => {
  if (z) zone = z;
};

// The server's rules (edit window, clock skew, tag tones …), from
// /sync/me; the defaults are only for the moments before it first loads.
let rules = { tag_tones: {} };
export const setRules = (r) => {
  if (r) rules = r;
};
export const rule = (name) => rules[name];

// day is the station-local date of an instant as YYYY-MM-DD.
export function day(at) {
  return new Date(at).toLocaleDateString("sv-SE", { timeZone: zone });
}

// weekday is the station-local weekday of an instant ("tue").
export function weekday(at) {
  return new Date(at).toLocaleDateString("en-US", { timeZone: zone, weekday: "short" }).toLowerCase();
}

// clock formats an instant as station-local "MM-DD HH:mm" (or "HH:mm" today).
export function clock(at) {
  const d = new Date(at);
  const hm = d.toLocaleTimeString("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false });
  if (day(d) === day(Date.now())) return hm;
  return day(d).slice(5) + " " + hm;
}

// daysAgo is how many station-local calendar days lie between at and now.
export function daysAgo(at) {
  const a = Date.parse(day(at));
  const b = Date.parse(day(Date.now()));
  return Math.round((b - a) / 86400000);
}

// ago says when something last happened, in words.
export function ago(at) {
  if (!at) return t("time.never");
  const d = daysAgo(at);
  if (d <= 0) return t("time.today");
  if (d === 1) return t("time.yesterday");
  return t("time.days_ago", d);
}

// newId mints a PocketBase-shaped id: 15 characters of [a-z0-9].
export function newId() {
  const abc = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  let s = "";
  for (const b of bytes) s += abc[b % abc.length];
  return s;
}

// HTTPError is a non-2xx answer; status 0 means the network failed.
export class HTTPError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || "HTTP " + status);
    this.status = status;
    this.body = body;
  }
}

// TIMEOUT bounds a request: on a stairwell's trickle of signal a push must
// give up and back off rather than hang for minutes holding the outbox.
const TIMEOUT = 30000;

// fetchJSON sends a same-origin request and decodes its JSON answer.
export async function fetchJSON(path, opts = {}) {
  let res;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT);
  try {
    res = await fetch(path, {
      credentials: "same-origin",
      cache: "no-store",
      signal: abort.signal,
      ...opts,
      headers: { Accept: "application/json", ...(opts.body ? { "Content-Type": "application/json" } : {}), ...(opts.headers || {}) },
    });
  } catch (err) {
    clearTimeout(timer);
    throw new HTTPError(0, null);
  }
  clearTimeout(timer);
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    // not JSON (a proxy's error page)
  }
  if (!res.ok) throw new HTTPError(res.status, body);
  return body;
}

// fill sets the text of each [data-f=name] inside el from fields.
export function fill(el, fields) {
  for (const [name, value] of Object.entries(fields)) {
    const target = el.querySelector(`[data-f="${name}"]`);
    if (target) target.textContent = value == null ? "" : String(value);
  }
  return el;
}

// fromTemplate clones the first element of <template id>.
export function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

// span makes a <span class> with text.
export function span(cls, text) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}

// show hides or shows an element.
export function show(el, visible) {
  if (el) el.hidden = !visible;
}

// tagClass colours a household tag like the office pages do (the tones
// come from the server's rules).
export function tagClass(tag) {
  const tone = (rules.tag_tones || {})[tag];
  return tone ? "tag " + tone : "tag";
}

// clearErrors removes a form's field errors and hides its alert box.
export function clearErrors(form, alertId) {
  for (const p of form.querySelectorAll("[data-error-for]")) {
    p.hidden = true;
    p.textContent = "";
  }
  for (const f of form.querySelectorAll(".field.bad")) f.classList.remove("bad");
  show(document.getElementById(alertId), false);
}

// fieldError shows msg under a form field (opening a collapsed section).
export function fieldError(form, name, msg) {
  const p = form.querySelector(`[data-error-for="${name}"]`);
  if (p) {
    p.textContent = msg;
    p.hidden = false;
    p.closest(".field")?.classList.add("bad");
    p.closest("details")?.setAttribute("open", "");
  }
}
