// cols.js: turns a pull page in the compact form (form=cols, replica's
// compact.go and docs/sync-protocol.md) back into the documents the full
// form carries, so nothing past the pull sees the difference. The fields
// a household's screens read but the page leaves out (its display
// address, address key, search text and display phones) are derived here
// by the same narrow rules the server checks them against (derive.go):
// where these would not give the stored value, the page carries it.

// decodePage returns the documents of a compact page.
export function decodePage(collection, page) {
  const docs = Array.from({ length: page.n }, () => ({}));
  const ms = {}; // a time column's milliseconds per document
  const derived = [];
  for (const col of page.cols || []) {
    if (col.derive) {
      derived.push(col);
      continue;
    }
    const vals = values(col, page.n);
    if (col.time) ms[col.f] = [];
    let prev = 0;
    for (let i = 0; i < page.n; i++) {
      let v = vals[i];
      if (col.time) {
        ms[col.f][i] = -1;
        if (typeof v === "number") {
          const m = col.seq ? (prev += v) : col.rel ? ms[col.rel][i] - v : v;
          ms[col.f][i] = m;
          v = formatMillis(m, col.time);
        }
      } else if (col.phones && typeof v === "string") {
        v = v === "" ? [] : v.split(" ").map((p) => (p.startsWith("+") ? p : "+86" + p));
      }
      if (v !== null) docs[i][col.f] = v;
    }
  }
  // Derived fields in the server's order: the address before the search
  // text made from it.
  for (const col of derived) {
    for (let i = 0; i < page.n; i++) {
      const sent = col.x && col.x[String(i)];
      // A search text made with foreign phones comes as their national
      // digits (which take libphonenumber to know); anything else sent is
      // the stored value.
      const hint = col.f === "search" && Array.isArray(sent) ? sent : null;
      docs[i][col.f] = sent !== undefined && !hint ? sent : derive(collection, col.f, docs[i], hint);
    }
  }
  return docs;
}

// values are a column's values, one per document.
function values(col, n) {
  if (col.ids !== undefined) return Array.from({ length: n }, (_, i) => col.ids.slice(15 * i, 15 * i + 15));
  if (col.s !== undefined) {
    const toks = col.s.split(",");
    if (col.phones) return toks;
    return toks.map((tok) => (tok === "" ? null : parseInt(tok, 36)));
  }
  if (col.dict) return col.v.map((i) => col.dict[i]);
  return col.v || [];
}

// formatMillis writes a datetime as the full form has it: PocketBase's
// "2026-12-01 07:00:00.123Z", or Go's RFC 3339 without the fraction's
// trailing zeros.
function formatMillis(m, layout) {
  const iso = new Date(m).toISOString();
  return layout === "pb" ? iso.replace("T", " ") : iso.replace(/\.?0+Z$/, "Z");
}

function derive(collection, field, h, nationals) {
  if (collection !== "households") return undefined;
  switch (field) {
    case "address":
      return withEnd(h.building, "幢", BUILDING) + withEnd(h.unit, "单元", UNIT) + withEnd(h.room, "室", ROOM);
    case "address_key":
      return [h.community, norm(h.building, BUILDING), norm(h.unit, UNIT), norm(h.room, ROOM)].join("|");
    case "search": {
      const [b, u, r] = [norm(h.building, BUILDING), norm(h.unit, UNIT), norm(h.room, ROOM)];
      const parts = [h.address, h.head_name, b + "-" + u + "-" + r, b + u + r];
      (h.phones || []).forEach((p, i) => parts.push(p.slice(1), nationals ? nationals[i] : national(p)));
      return parts.join(" ").replace(/[A-Z]/g, (c) => c.toLowerCase());
    }
    case "phones_display":
      return (h.phones || []).map(display);
  }
  return undefined;
}

const BUILDING = ["号楼", "幢", "栋", "座", "楼", "号", "#"];
const UNIT = ["单元", "单"];
const ROOM = ["室", "房", "号", "户"];
const CN = "零〇一二两三四五六七八九十百";
const CN_DIGIT = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

// withEnd gives a bare number (an ASCII digit or letter, a Chinese
// numeral) its suffix: 3 → 3幢.
function withEnd(s, end, known) {
  s = s || "";
  if (s === "" || known.some((k) => s.endsWith(k))) return s;
  return /[0-9A-Za-z]$/.test(s) || CN.includes(s.slice(-1)) ? s + end : s;
}

// norm is the address key's form of a part: lower case, Chinese numbers
// as digits, no suffix, no leading zeros.
function norm(s, ends) {
  s = (s || "").replace(/[A-Z]/g, (c) => c.toLowerCase());
  s = s.replace(/[零〇一二两三四五六七八九十百]+/g, (m) => {
    const n = cnNumber(m);
    return n === null ? m : String(n);
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of ends) {
      if (s.endsWith(e) && s.length > e.length) {
        s = s.slice(0, -e.length);
        changed = true;
      }
    }
  }
  return s.replace(/(^|\D)0+(\d)/g, "$1$2");
}

// cnNumber reads a Chinese numeral up to 999 (三, 十二, 一百零五, 三〇一).
function cnNumber(s) {
  const rs = [...s];
  if (!/[十百]/.test(s)) {
    let n = 0;
    for (const r of rs) {
      if (!(r in CN_DIGIT)) return null;
      n = n * 10 + CN_DIGIT[r];
    }
    return n;
  }
  let total = 0;
  let cur = 0;
  for (const r of rs) {
    if (r === "百" || r === "十") {
      total += (cur || 1) * (r === "百" ? 100 : 10);
      cur = 0;
    } else if (r in CN_DIGIT) {
      cur = CN_DIGIT[r];
    } else {
      return null;
    }
  }
  return total + cur;
}

// national is a Chinese number's national digits: a mobile's eleven, a
// fixed line's with the trunk 0.
function national(e164) {
  const rest = e164.slice(3);
  return rest[0] === "1" ? rest : "0" + rest;
}

// display writes a Chinese number as people do: 138 0013 8000,
// 010 6512 3456, 0571 8765 4321, 0571 876 5432.
function display(e164) {
  const n = national(e164);
  if (n.length === 11 && (n[0] === "1" || n[1] === "1" || n[1] === "2")) return n.slice(0, 3) + " " + n.slice(3, 7) + " " + n.slice(7);
  if (n.length === 12) return n.slice(0, 4) + " " + n.slice(4, 8) + " " + n.slice(8);
  return n.slice(0, 4) + " " + n.slice(4, 7) + " " + n.slice(7);
}
