// household_form.js: a household created at the door, or an edit of one.
// Saved to the replica and the outbox at once; the server checks it again
// (phones, duplicates) when it syncs.

import { get, meta } from "../db.js";
import { go } from "../nav.js";
import { enqueue } from "../outbox.js";
import { newId, show, t, clearErrors, fieldError } from "../util.js";

// state is what the current render found; the handlers, attached once,
// read it. The save button is disabled in the markup until render() has
// filled the form.
let state = null;
let saving = false;

function wire(form) {
  if (form.dataset.wired) return;
  form.dataset.wired = "1";
  form.addEventListener("submit", (e) => {
    e.preventDefault(); // always: a native submission would lose the household
    if (state && !saving) save(form, state.me, state.editing);
  });
}

export async function render(id) {
  const form = document.getElementById("hf");
  wire(form);
  const button = document.getElementById("hf-save");
  button.disabled = true;
  state = null;
  const me = await meta("me");
  const editing = id ? await get("households", id) : null;
  document.getElementById("hf-title").textContent = editing ? t("household.edit_title", editing.address) : t("household.new");
  clearErrors(form, "hf-alert");
  form.reset();

  const comm = document.getElementById("hf-community");
  comm.replaceChildren(...me.places.map((c) => new Option(c.name, c.id)));
  const grids = () => {
    const c = me.places.find((p) => p.id === comm.value);
    document.getElementById("hf-grid").replaceChildren(new Option(t("household.no_grid"), ""), ...(c ? c.grids.map((g) => new Option(g.name, g.id)) : []));
  };
  comm.onchange = grids;
  if (editing) {
    comm.value = editing.community;
    grids();
    const set = (name, v) => (form.elements[name].value = v == null ? "" : v);
    set("grid", editing.grid);
    set("building", editing.building);
    set("unit", editing.unit);
    set("room", editing.room);
    set("head_name", editing.head_name);
    set("phones", (editing.phones_display || editing.phones || []).join("、"));
    set("residents", editing.residents || "");
    set("notes", editing.notes);
    for (const box of form.querySelectorAll('input[name="tags"]')) box.checked = (editing.tags || []).includes(box.value);
  } else {
    grids();
  }
  state = { me, editing };
  saving = false;
  button.disabled = false;
}

async function save(form, me, editing) {
  clearErrors(form, "hf-alert");
  const v = (n) => form.elements[n].value.trim();
  let ok = true;
  if (!v("community")) {
    fieldError(form, "community", t("field.required"));
    ok = false;
  }
  if (!v("building")) {
    fieldError(form, "building", t("field.required"));
    ok = false;
  }
  const residents = v("residents") === "" ? 0 : Number(v("residents"));
  const most = me.rules.max_residents;
  if (!Number.isInteger(residents) || residents < 0 || residents > most) {
    fieldError(form, "residents", t("field.range", 0, most));
    ok = false;
  }
  if (!ok) {
    const alert = document.getElementById("hf-alert");
    alert.textContent = t("js.form_has_errors");
    show(alert, true);
    form.querySelector(".field.bad input, .field.bad select")?.focus();
    return;
  }
  // The office may have written the address by hand: keep it unless the
  // door itself changed (then the server composes it again).
  const sameDoor = editing && editing.building === v("building") && (editing.unit || "") === v("unit") && (editing.room || "") === v("room");
  const doc = {
    id: editing ? editing.id : newId(),
    community: v("community"),
    grid: v("grid"),
    building: v("building"),
    unit: v("unit"),
    room: v("room"),
    address: sameDoor ? editing.address : "",
    head_name: v("head_name"),
    phones: v("phones") ? [v("phones")] : [],
    residents,
    tags: [...form.querySelectorAll('input[name="tags"]:checked')].map((b) => b.value),
    notes: v("notes"),
    base_rev: (editing && editing.rev) || "",
  };
  // What the device shows until the server's copy arrives. _unsent marks a
  // household the server has never accepted: an edit of it is still its
  // creation.
  const unsent = !editing || !!editing._unsent;
  const local = {
    _unsent: unsent,
    address: doc.address || [doc.building, doc.unit && doc.unit + "单元", doc.room && doc.room + "室"].filter(Boolean).join(""),
    phones_display: doc.phones,
    last_visited_at: editing ? editing.last_visited_at : null,
    wechat_contact: editing ? editing.wechat_contact : "",
    archived: false,
    search: [doc.building, doc.unit, doc.room, doc.head_name, doc.phones.join(" ").replace(/[\s\-]/g, "")].join(" ").toLowerCase(),
  };
  saving = true;
  document.getElementById("hf-save").disabled = true;
  try {
    await enqueue("households", () => doc, unsent ? "create" : "update", local);
  } catch (err) {
    console.error(err);
    saving = false;
    document.getElementById("hf-save").disabled = false;
    const alert = document.getElementById("hf-alert");
    alert.textContent = t("js.save_failed");
    show(alert, true);
    return;
  }
  state = null;
  go("/households/" + doc.id, true);
}
