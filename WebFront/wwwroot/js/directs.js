// Direct messages in the sidebar. A conversation is a room named "@…" (docs/protocol.md §4.17): the feed and the
// screen take it in like any room, and this module shows it apart, by the other people's nicknames, with its unread
// badge, and starts new ones. A conversation the user left stays listed (the server keeps it on the user's list) and
// is entered again from here. It follows the room list and the room title as roomscreen.js draws them, so the rooms'
// own drawing stays as it is.

import { describeError } from "./errors.js";
import { t } from "./i18n.js";
import { roomItem } from "./view.js";

const $ = (id) => document.getElementById(id);
const isConversation = (name) => String(name).startsWith("@");

export function createDirects(session, rooms, show) {
  const ui = {
    list: $("dm-list"), form: $("dm-form"), names: $("dm-names"), error: $("dm-error"), button: $("dm-button"),
    rooms: $("room-list"), title: $("room-title"), leave: $("leave-room"), message: $("message"),
  };
  const participants = new Map(); // room -> every nickname in it
  let asked = new Set();          // rooms the last Conversations call was for
  let listed = [];                // the user's conversations, in or not, as the last Conversations call gave them
  let listing = null;

  const others = (room) => participants.get(room)?.filter((n) => n !== session.nickname).join(", ") || "…";
  const current = () => ui.rooms.querySelector("[aria-current]")?.dataset.room ?? null;

  function render() {
    const shown = current();
    if (rooms.size === 0) {
      listed = []; // signed out: the next user's list is asked for afresh
    }
    const left = listed.filter((name) => !rooms.has(name)).map((name) => ({ name, unread: 0, mentioned: 0 }));
    const items = [...rooms.values(), ...left]
      .filter((room) => isConversation(room.name))
      .map((room) => roomItem(room, others(room.name), shown));
    if (isConversation(shown)) {
      ui.leave.textContent = t("dm.leave");
    }
    ui.list.replaceChildren(...items);
    const unknown = [...rooms.keys()].some((name) => isConversation(name) && !participants.has(name) && !asked.has(name));
    if (unknown || (rooms.size > 0 && !asked.size)) {
      void refresh();
    }
    relabel();
  }

  /** The title and the composer name a conversation by its people, not its id. */
  function relabel() {
    const room = current();
    if (isConversation(room) && ui.title.textContent !== others(room)) {
      ui.title.textContent = others(room);
      ui.message.placeholder = t("dm.write", { names: others(room) });
    }
  }

  /** Learns who is in each conversation (one the page was brought into knows only its id). */
  async function refresh() {
    if (listing || !session.ready()) {
      return;
    }
    asked = new Set(rooms.keys());
    try {
      listing = session.conversations();
      const conversations = await listing;
      for (const conversation of conversations) {
        participants.set(conversation.room, conversation.participants);
      }
      listed = conversations.map((conversation) => conversation.room);
    } catch {
      asked.clear(); // asked again at the next change
    } finally {
      listing = null;
    }
    render();
  }

  ui.list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-room]");
    if (button) {
      show(button.dataset.room);
    }
  });

  ui.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const nicknames = ui.names.value.split(",").map((name) => name.trim()).filter(Boolean);
    if (!nicknames.length || !session.ready()) {
      return;
    }
    ui.error.hidden = true;
    ui.button.disabled = true;
    try {
      const opened = await session.openConversation(nicknames);
      participants.set(opened.joined.room, opened.participants);
      listed = [...new Set([...listed, opened.joined.room])];
      ui.names.value = "";
      show(opened.joined.room);
    } catch (error) {
      ui.error.textContent = describeError(error);
      ui.error.hidden = false;
    } finally {
      ui.button.disabled = false;
    }
  });

  new MutationObserver(render).observe(ui.rooms, { childList: true });
  new MutationObserver(relabel).observe(ui.title, { childList: true, characterData: true, subtree: true });
}
