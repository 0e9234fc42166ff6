// Changing a message from the page: editing and deleting one's own, reacting to any. The clicks and keys of a
// message's tools, the hub calls, and their refusals, shown on the message as the outbox shows a refused send.
// Each call answers with the message's new state, shown at once; the message_updated that every tab then receives
// is not newer, so it changes nothing (rooms.js, applyUpdate).

import { describeError } from "./errors.js";
import { acting, redrawEntries, ui } from "./view.js";

const OPENER = { edit: '[data-action="edit"]', delete: '[data-action="delete"]', react: '[data-action="picker"]' };

/** session: session.js; feed: roomfeed.js; shown(): the room on screen (its model), or null. */
export function setUpChanges(session, feed, shown) {
  /** Changes what the reader is doing, redraws each message that showed or shows it, and focuses `focus` in `entry`. */
  function set(entry, changes, focus = "") {
    const before = [acting.entry, acting.failed];
    Object.assign(acting, changes);
    const shownHere = (e) => e && shown()?.entries.includes(e); // the room may have changed since
    redrawEntries([...new Set([...before, acting.entry, acting.failed, entry])].filter(shownHere), session.nickname);
    const target = focus ? ui.messages.querySelector(`li.message[data-seq="${entry.seq}"] ${focus}`) : null;
    target?.focus();
    target?.setSelectionRange?.(target.value.length, target.value.length);
  }

  /** Opens a tool on a message, or closes it (mode ""), focus going back to what opened it. */
  function act(entry, mode, focus = OPENER[acting.mode]) {
    set(entry, { entry: mode ? entry : null, mode, draft: entry.text, failed: null }, focus);
  }

  async function call(entry, request, focus = "") {
    try {
      const update = await request;
      set(entry, { failed: null, ...(acting.entry === entry && { entry: null, mode: "" }) }, focus);
      feed.updated(update);
      return true;
    } catch (error) {
      set(entry, { failed: entry, error: describeError(error) }); // an open tool stays, to try again
      return false;
    }
  }

  function entryOf(target) {
    const seq = Number(target.closest("li.message")?.dataset.seq);
    return shown()?.entries.find((e) => e.kind === "message" && e.seq === seq) ?? null;
  }

  ui.messages.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    const entry = button && entryOf(button);
    const room = shown()?.name;
    if (!entry) {
      return;
    }
    const { action, emoji } = button.dataset;
    if (action === "react" || action === "pick") {
      const on = button.getAttribute("aria-pressed") !== "true";
      await call(entry, session.react(room, entry.seq, emoji, on), action === "pick" ? OPENER.react : "");
    } else if (action === "picker") {
      act(entry, acting.entry === entry && acting.mode === "react" ? "" : "react", ".picker button");
    } else if (action === "edit") {
      act(entry, "edit", "textarea");
    } else if (action === "delete") {
      act(entry, "delete", '[data-action="cancel"]');
    } else if (action === "cancel") {
      act(entry, "");
    } else if (action === "confirm" && (await call(entry, session.remove(room, entry.seq)))) {
      ui.message.focus(); // a tombstone has no controls left
    }
  });

  ui.messages.addEventListener("submit", (event) => {
    event.preventDefault();
    const entry = entryOf(event.target);
    if (!entry || acting.entry !== entry) {
      return;
    }
    if (!acting.draft.trim() || acting.draft === entry.text) {
      act(entry, ""); // nothing to change
    } else {
      void call(entry, session.edit(shown().name, entry.seq, acting.draft), OPENER.edit);
    }
  });

  ui.messages.addEventListener("input", (event) => {
    if (event.target.dataset.action === "text") {
      acting.draft = event.target.value;
    }
  });

  // In the field, Enter saves and Shift+Enter adds a line, as in the composer; in any open tool, Escape closes it.
  ui.messages.addEventListener("keydown", (event) => {
    const entry = acting.mode && entryOf(event.target);
    if (!entry || acting.entry !== entry) {
      return;
    }
    if (event.key === "Escape") {
      event.stopPropagation();
      act(entry, "");
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing
      && event.target.dataset.action === "text") {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });
}
