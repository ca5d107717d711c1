// live.js: the live channel. One websocket to /ws while the app is open and
// online; reconnects with backoff; every (re)connect pulls and drains, since
// anything may have happened while it was away. The server pushes
// "targets" (this officer's day) and "changed" (pull these collections).

import { emit } from "./util.js";

const MIN_WAIT = 1000;
const MAX_WAIT = 30000;

// connect keeps a socket open. onOpen(send) runs on every (re)connect;
// onMessage(msg) on every message. Returns a function that reports status.
export function connect({ onOpen, onMessage }) {
  let ws = null;
  let wait = MIN_WAIT;
  let timer = null;

  const schedule = () => {
    clearTimeout(timer);
    if (!navigator.onLine) return; // "online" reconnects
    timer = setTimeout(open, wait / 2 + Math.random() * (wait / 2));
    wait = Math.min(MAX_WAIT, wait * 2);
  };

  function open() {
    clearTimeout(timer);
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    try {
      ws = new WebSocket(url);
    } catch (_) {
      schedule();
      return;
    }
    ws.onopen = () => {
      wait = MIN_WAIT;
      emit("live", { online: true });
      onOpen((msg) => send(msg));
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch (_) {
        return;
      }
      onMessage(msg);
    };
    ws.onclose = () => {
      emit("live", { online: false });
      schedule();
    };
    ws.onerror = () => {
      try {
        ws.close();
      } catch (_) {
        // closing anyway
      }
    };
  }

  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  addEventListener("online", () => {
    wait = MIN_WAIT;
    open();
  });
  addEventListener("offline", () => ws && ws.close());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") open();
  });
  open();
  return { send, reconnect: open };
}
