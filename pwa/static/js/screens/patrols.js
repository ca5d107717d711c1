// patrols.js: a patrol shift and a patrol finding recorded on the phone,
// offline too (DESIGN §15). Each is saved into the replica and the outbox
// in one IndexedDB transaction and pushed once there is signal; its
// client-minted id makes a retried push the same record. The checks here
// are the server's own limits (/sync/me rules.patrols): the server checks
// them again.
//
// As on the visit form, the handlers are attached once and the save
// buttons are disabled in the markup until render() has filled the form.

import { get, getAll, meta } from "../db.js";
import { go } from "../nav.js";
import { enqueue } from "../outbox.js";
import { clearErrors, day, fieldError, newId, show, t } from "../util.js";

const DAY = 86400000;

function wire(form, submit) {
  if (form.dataset.wired) return;
  form.dataset.wired = "1";
  form.addEventListener("submit", (e) => {
    e.preventDefault(); // always: a native submission would lose what was typed
    submit(form);
  });
}

function option(value, label, selected) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  o.selected = !!selected;
  return o;
}

function chip(name, value, label, checked) {
  const l = document.createElement("label");
  const i = document.createElement("input");
  i.type = "checkbox";
  i.name = name;
  i.value = value;
  i.checked = !!checked;
  l.append(i, document.createTextNode(label));
  return l;
}

const checked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((b) => b.value).sort();

function gridsOf(me, community) {
  const c = (me.places || []).find((p) => p.id === community);
  return c ? c.grids || [] : [];
}

function failed(alertId, err) {
  console.error(err);
  const alert = document.getElementById(alertId);
  alert.textContent = t("js.save_failed");
  show(alert, true);
}

// ---- a shift ---------------------------------------------------------------

let shift = null; // { me, teams, volunteers }
let savingShift = false;

export async function renderShift(_id, q) {
  const form = document.getElementById("sf");
  wire(form, submitShift);
  const save = document.getElementById("sf-save");
  save.disabled = true;
  shift = null;
  clearErrors(form, "sf-alert");
  form.reset();
  const [me, teams, volunteers] = await Promise.all([meta("me"), getAll("patrol_teams"), getAll("volunteers")]);
  if (!me) return;
  const mine = teams.filter((x) => me.officer.communities.includes(x.community)).sort((a, b) => a.name.localeCompare(b.name, "zh"));
  show(document.getElementById("sf-none"), mine.length === 0);
  const select = form.elements.team;
  const want = q.get("team") || (mine[0] && mine[0].id) || "";
  select.replaceChildren(...mine.map((x) => option(x.id, x.name, x.id === want)));
  form.elements.date.value = day(Date.now());
  const now = new Date();
  const hm = (d) => String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  form.elements.ends.value = hm(now);
  form.elements.starts.value = hm(new Date(now.getTime() - 2 * 3600000));
  shift = { me, teams: mine, volunteers };
  if (!select.dataset.wired) {
    select.dataset.wired = "1";
    select.addEventListener("change", () => drawTeam(form));
  }
  drawTeam(form);
  savingShift = false;
  save.disabled = mine.length === 0;
}

// drawTeam offers the team's grids (all ticked) and its active members.
function drawTeam(form) {
  if (!shift) return;
  const team = shift.teams.find((x) => x.id === form.elements.team.value);
  const grids = team ? gridsOf(shift.me, team.community).filter((g) => !(team.grids || []).length || team.grids.includes(g.id)) : [];
  document.getElementById("sf-grids").replaceChildren(...grids.map((g) => chip("grids", g.id, g.name, true)));
  const members = team ? shift.volunteers.filter((v) => v.team === team.id && v.active !== false).sort((a, b) => a.name.localeCompare(b.name, "zh")) : [];
  document.getElementById("sf-volunteers").replaceChildren(...members.map((v) => chip("volunteers", v.id, v.name + (v.unit ? "（" + v.unit + "）" : ""), false)));
}

const minutes = (hm) => {
  const [h, m] = hm.split(":").map(Number);
  return h * 60 + m;
};

async function submitShift(form) {
  const save = document.getElementById("sf-save");
  if (!shift || savingShift || save.disabled) return;
  const rules = (shift.me.rules && shift.me.rules.patrols) || {};
  clearErrors(form, "sf-alert");
  const f = form.elements;
  const team = f.team.value;
  const volunteers = checked(form, "volunteers");
  let bad = false;
  const problem = (name, msg) => {
    fieldError(form, name, msg);
    bad = true;
  };
  if (!team) problem("team", t("field.required"));
  const date = f.date.value;
  if (!date) problem("date", t("field.required"));
  else if (date > day(Date.now())) problem("date", t("field.day_future"));
  else if (Date.now() - Date.parse(date) > (rules.patrol_max_age_days || 366) * DAY) problem("date", t("field.record_too_old", rules.patrol_max_age_days || 366));
  if (!f.starts.value) problem("starts", t("field.required"));
  if (!f.ends.value) problem("ends", t("field.required"));
  if (f.starts.value && f.ends.value) {
    const long = (minutes(f.ends.value) - minutes(f.starts.value) + 1440) % 1440;
    if (long > (rules.patrol_max_shift_hours || 12) * 60) problem("ends", t("field.shift_too_long", rules.patrol_max_shift_hours || 12));
  }
  if (volunteers.length === 0) problem("volunteers", t("field.present_required"));
  const notes = f.notes.value.trim();
  if (notes.length > (rules.patrol_max_notes || 1000)) problem("notes", t("field.too_long", rules.patrol_max_notes || 1000));
  if (bad) return;
  savingShift = true;
  save.disabled = true;
  const fields = { team, grids: checked(form, "grids"), date, starts: f.starts.value, ends: f.ends.value, volunteers, notes };
  const t0 = shift.teams.find((x) => x.id === team);
  try {
    await enqueue("patrol_shifts", () => ({ id: newId(), ...fields }), "create",
      { community: t0 ? t0.community : "", officer: shift.me.officer.id, person_turns: volunteers.length });
    shift = null;
    go("/?saved=shift", true);
  } catch (err) {
    savingShift = false;
    save.disabled = false;
    failed("sf-alert", err);
  }
}

// ---- a finding ---------------------------------------------------------------

let report = null; // { me, household }
let savingReport = false;

export async function renderReport(_id, q) {
  const form = document.getElementById("rf");
  wire(form, submitReport);
  const save = document.getElementById("rf-save");
  save.disabled = true;
  report = null;
  clearErrors(form, "rf-alert");
  form.reset();
  const [me, volunteers] = await Promise.all([meta("me"), getAll("volunteers")]);
  if (!me) return;
  const h = q.get("household") ? await get("households", q.get("household")) : null;
  const who = document.getElementById("rf-household");
  who.textContent = h ? t("js.report_about", h.address) : "";
  show(who, !!h);
  const places = (me.places || []).filter((p) => me.officer.communities.includes(p.id));
  const community = (h && h.community) || q.get("community") || (places[0] && places[0].id) || "";
  form.elements.community.replaceChildren(...places.map((p) => option(p.id, p.name, p.id === community)));
  form.elements.community.disabled = !!h; // a household's finding is in its community
  report = { me, household: h, volunteers };
  const sel = form.elements.community;
  if (!sel.dataset.wired) {
    sel.dataset.wired = "1";
    sel.addEventListener("change", () => drawCommunity(form, ""));
  }
  drawCommunity(form, h ? h.grid : "");
  if (h) form.elements.place.value = h.address;
  const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
  form.elements.reported_at.value = now.toISOString().slice(0, 16);
  savingReport = false;
  save.disabled = places.length === 0;
}

function drawCommunity(form, grid) {
  if (!report) return;
  const c = form.elements.community.value;
  form.elements.grid.replaceChildren(option("", t("js.no_grid"), !grid), ...gridsOf(report.me, c).map((g) => option(g.id, g.name, g.id === grid)));
  const vols = report.volunteers.filter((v) => v.community === c && v.active !== false).sort((a, b) => a.name.localeCompare(b.name, "zh"));
  form.elements.volunteer.replaceChildren(option("", t("js.reporter_me"), true), ...vols.map((v) => option(v.id, t("js.reporter_volunteer", v.name), false)));
}

async function submitReport(form) {
  const save = document.getElementById("rf-save");
  if (!report || savingReport || save.disabled) return;
  const rules = (report.me.rules && report.me.rules.patrols) || {};
  clearErrors(form, "rf-alert");
  const f = form.elements;
  let bad = false;
  const problem = (name, msg) => {
    fieldError(form, name, msg);
    bad = true;
  };
  const kind = f.kind.value;
  if (!kind) problem("kind", t("field.choice"));
  const place = f.place.value.trim();
  if (!place) problem("place", t("field.required"));
  else if (place.length > (rules.patrol_max_place || 200)) problem("place", t("field.too_long", rules.patrol_max_place || 200));
  const description = f.description.value.trim();
  if (!description) problem("description", t("field.required"));
  else if (description.length > (rules.patrol_max_description || 2000)) problem("description", t("field.too_long", rules.patrol_max_description || 2000));
  const at = f.reported_at.value ? new Date(f.reported_at.value) : new Date();
  if (at.getTime() > Date.now() + (report.me.rules.clock_skew_ms || 0)) problem("reported_at", t("field.future"));
  if (bad) return;
  savingReport = true;
  save.disabled = true;
  const h = report.household;
  const fields = {
    reported_at: at.toISOString(),
    volunteer: f.volunteer.value,
    community: h ? h.community : f.community.value,
    grid: f.grid.value,
    household: h ? h.id : "",
    place,
    kind,
    description,
  };
  try {
    await enqueue("patrol_reports", () => ({ id: newId(), ...fields }), "create",
      { officer: report.me.officer.id, status: "open", assigned_to: "" });
    report = null;
    go(h ? "/households/" + h.id : "/?saved=report", true);
  } catch (err) {
    savingReport = false;
    save.disabled = false;
    failed("rf-alert", err);
  }
}
