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

connect({
  onOpen: () => {
    status.textContent = t("board.live");
  },
  onMessage: (msg) => {
    if (msg.type === "board") draw(msg);
  },
});
addEventListener("offline", () => {
  status.textContent = t("board.disconnected");
});
