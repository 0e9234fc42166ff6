// What the page says about its connection: the status in the header and the banner above the messages. Both are
// kept as text keys, so that a language switch can draw them again.

import { hideBanner, setStatus, showBanner } from "./view.js";

const RECOVERED_SHOWN_MS = 30000;   // how long the header and the banner say what a reconnect recovered

let statusShown = { state: "connecting", key: undefined, params: {} };
let bannerShown = null;
let recoveredTimer = 0;

/** state: connecting | reconnecting | connected | disconnected; key/params: the label, default per state. */
export function status(state, key, params) {
  statusShown = { state, key, params };
  setStatus(state, key, params);
}

/** tone: info | warn | ok | error; options.reconnect shows the Reconnect button. */
export function banner(tone, key, params, options) {
  bannerShown = { tone, key, params, options };
  showBanner(tone, key, params, options);
}

export function clearBanner() {
  bannerShown = null;
  hideBanner();
}

/**
 * Says in the header and the banner what a reconnect did, then goes back to a plain "Connected" unless the
 * connection dropped again meanwhile (connected() tells).
 * how: "recovered" (messages fetched one by one), "reloaded" (latest messages reloaded), "rejoined" (new session).
 */
export function showReconnected(how, recovered, connected) {
  status("connected", how === "reloaded" ? "status.reloaded" : "status.recovered", { n: recovered });
  banner("ok", `banner.${how}`, { n: recovered });
  clearTimeout(recoveredTimer);
  recoveredTimer = setTimeout(() => {
    if (connected()) {
      status("connected");
      if (bannerShown?.tone === "ok") {
        clearBanner();
      }
    }
  }, RECOVERED_SHOWN_MS);
}

/** What a reconnect recovered is no longer news: the connection dropped again, or the session ended. */
export function forgetReconnected() {
  clearTimeout(recoveredTimer);
}

/** Draws the status and the banner again, in the current language. */
export function redrawStatus() {
  setStatus(statusShown.state, statusShown.key, statusShown.params);
  if (bannerShown) {
    showBanner(bannerShown.tone, bannerShown.key, bannerShown.params, bannerShown.options);
  }
}
