// board.js: keeps the deputy chief's board current. The page is
// server-rendered; each "board" message from the live channel redraws the
// rows from the row template, furthest behind first on a visit day.

import { connect } from "./live.js";
import { clock, fill, fromTemplate, t } from "./util.js";

const rows = document.getElementById("board-rows");
const status = document.getElementById("board-live");

function draw(b) {
  rows.replaceChildren(...b.officers.map((o) => {
    const tr = fromTemplate("tpl-board-row");
    tr.dataset.id = o.id;
    tr.classList.toggle("behind", b.visit_day && o.behind > 0);
    tr.querySelector("a").href = "/coverage/visits?" + new URLSearchParams({ date: b.date, officer: o.id });
    fill(tr, {
      name: (o.name + " " + o.badge).trim(),
      homes: `${o.homes}/${b.homes_target}`,
      wechat: `${o.wechat}/${b.wechat_target}`,
      online: o.online ? t("board.is_online") : t("board.offline"),
      pending: o.pending,
      last: o.last_visit_at ? clock(o.last_visit_at) : "",
    });
    return tr;
  }));
  rows.dataset.updated = new Date().toISOString();
}

// alert puts an abnormal holiday check at the top of the banner, until the
// deputy chief acknowledges it (a plain form post, which reloads the board).
function alert(a) {
  const list = document.getElementById("alert-list");
  if (list.querySelector(`li[data-id="${CSS.escape(a.id)}"]`)) return;
  const li = fromTemplate("tpl-alert");
  li.dataset.id = a.id;
  li.querySelector("a").href = "/watches/" + a.watch;
  li.querySelector("form").action = "/watches/alerts/" + a.id + "/ack";
  fill(li, { address: a.address, line: [clock(a.raised_at), a.officer, a.notes].filter(Boolean).join(" ") });
  list.prepend(li);
  document.getElementById("alerts").hidden = false;
}

connect({
  onOpen: () => {
    status.textContent = t("board.live");
  },
  onMessage: (msg) => {
    if (msg.type === "board") draw(msg);
    else if (msg.type === "alert") alert(msg);
  },
});
addEventListener("offline", () => {
  status.textContent = t("board.disconnected");
});
