// The room on screen: which of the page's rooms is shown, the sidebar around it, and drawing what roomfeed.js
// reports as it happens (only the room shown is drawn; the others count unread messages). Joining, leaving and
// listing rooms start here, and marking read: a room is read once seen (shown, scrolled to its end, page visible).
// view.js does the drawing; this module decides what is drawn and when.

import { describeError } from "./errors.js";
import { t } from "./i18n.js";
import { countUnread, mentionsMe } from "./rooms.js";
import { createScrollback } from "./scrollback.js";
import {
  announce, appendEntries, isNearBottom, openPanel, panelsCollapse, redrawEntries, renderLoadOlder, renderMembers,
  renderRoom, renderRoomList, renderServerRooms, renderTyping, showError, showPanel, ui,
} from "./view.js";

// ---- mentions as system notifications while the page is hidden: opt-in, remembered in this browser --------------
// Without the Notification API, or with its permission denied, the toggle says so and stays off.

const NOTIFY_KEY = "chat.notifyMentions";

let wanted = false;
let toggle = null;

const api = () => globalThis.Notification;

function enabled() {
  return wanted && api()?.permission === "granted";
}

/** The toggle's words go through data-i18n, so that a change of language redraws them with the rest of the page. */
function draw() {
  const key = !api() ? "notify.unsupported" : api().permission === "denied" ? "notify.denied" : "notify.toggle";
  toggle.dataset.i18n = key;
  toggle.textContent = t(key);
  toggle.disabled = !api();
  toggle.setAttribute("aria-pressed", String(enabled()));
}

function setUpNotifications(button) {
  toggle = button;
  try {
    wanted = localStorage.getItem(NOTIFY_KEY) === "on";
  } catch {
    // storage can be disabled; notifications then start off
  }
  draw();
  button.addEventListener("click", async () => {
    wanted = !enabled();
    if (wanted && api().permission !== "granted") {
      wanted = (await api().requestPermission()) === "granted";
    }
    try {
      localStorage.setItem(NOTIFY_KEY, wanted ? "on" : "off");
    } catch {
      // not remembered past this page
    }
    draw();
  });
}

/** A live message from someone else that mentions the user, while the page is hidden; clicking it opens the room. */
function notifyMention(room, entry, me, open) {
  if (!enabled() || document.visibilityState !== "hidden" || entry.nickname === me || !mentionsMe(entry, me)) {
    return;
  }
  try {
    const title = t("notify.title", { nickname: entry.nickname, room: room.name });
    const notification = new (api())(title, { body: entry.text }); // the system shortens a long one
    notification.onclick = () => {
      globalThis.focus();
      open(room.name);
      notification.close();
    };
  } catch {
    // Some browsers (Chrome on Android) show notifications only from a service worker: the badge still counts it.
  }
}

/** session: session.js; rooms: the page's rooms by name (roomfeed.js keeps them). */
export function createRoomScreen(session, rooms) {
  let current = null;   // the name of the room shown
  let serverRooms = [];
  const scrollback = createScrollback(session, rooms, () => current);
  const { fillIfShort, fillMembers } = scrollback;
  setUpNotifications(ui.notifyMentions);

  function currentRoom() {
    return current ? rooms.get(current) ?? null : null;
  }

  function updateControls() {
    ui.joinButton.disabled = session.phase !== "prompt";
    ui.sendButton.disabled = !session.nickname || !current; // offline too: the outbox keeps it
    ui.roomJoinButton.disabled = !session.ready();
    ui.leaveRoom.disabled = !session.ready() || !current;
    ui.refreshRooms.disabled = !session.ready();
  }

  function renderSidebar() {
    renderRoomList(rooms, current);
    renderServerRooms(serverRooms, new Set(rooms.keys()));
    updateControls();
  }

  function switchTo(name) {
    if (openPanel() && panelsCollapse()) {
      showPanel(null);
    }
    current = rooms.has(name) ? name : null;
    const room = currentRoom();
    if (room) {
      room.lineAfter = Math.max(room.readSeq, room.seenSeq);
    }
    renderRoom(room, session.nickname);
    markSeen();
    renderSidebar();
    showError(ui.sendError, "");
    fillIfShort();
    fillMembers();
  }

  /** After leaving or losing a room: the default room if still in it, else any. */
  function switchToAnother() {
    const names = [...rooms.keys()];
    switchTo(names.includes("geral") ? "geral" : names.sort()[0] ?? null);
  }

  /** Once registered or resumed: refresh what the sidebar shows. */
  function afterOpen() {
    for (const room of rooms.values()) {
      countUnread(room, session.nickname);
    }
    renderRoom(currentRoom(), session.nickname);
    markSeen();
    renderSidebar();
    fillIfShort();
    fillMembers();
    void refreshServerRooms();
  }

  /** The session is gone: no room is shown, and the server's rooms are not known. */
  function forget() {
    serverRooms = [];
    current = null;
  }

  /** The room shown is read if the reader sees its end; the server hears of it. */
  function markSeen() {
    const room = currentRoom();
    if (!room || document.visibilityState !== "visible" || !isNearBottom()) {
      return;
    }
    room.seenSeq = Math.max(room.seenSeq, room.lastSeq);
    if (room.unread) {
      countUnread(room, session.nickname);
      renderRoomList(rooms, current);
    }
    if (room.seenSeq > room.readSeq) {
      session.markRead(room.name, room.seenSeq);
    }
  }

  // ---- what the rooms report (the hooks of roomfeed.js) --------------------------------------------------------

  /** Live messages from others: read out in the room shown, else counted unread; a mention notifies if hidden. */
  function messagesAdded(room, added, dropped, live) {
    for (const entry of live ? added : []) {
      notifyMention(room, entry, session.nickname, switchTo);
    }
    if (room.name === current) {
      appendEntries(added, session.nickname, dropped);
      renderLoadOlder(room);
      if (live) {
        for (const entry of added.filter((e) => e.nickname !== session.nickname)) {
          announce(t("announce.message", { nickname: entry.nickname, text: entry.text }));
        }
      }
      markSeen();
    }
    readChanged(room);
  }

  /** Shown messages took a newer state: drawn again in place; a deletion or an edited mention counts again. */
  function messagesUpdated(room, entries) {
    if (room.name === current) {
      redrawEntries(entries, session.nickname);
    }
    readChanged(room);
  }

  function readChanged(room) {
    const { unread, mentioned } = room;
    if (countUnread(room, session.nickname) !== unread || room.mentioned !== mentioned) {
      renderRoomList(rooms, current);
    }
  }

  function noticeAdded(room, entry, dropped) {
    if (room.name === current) {
      appendEntries([entry], session.nickname, dropped);
      announce(t(entry.key, entry.params));
    }
  }

  function membersChanged(room) {
    if (room.name === current) {
      renderMembers(room, session.nickname);
      fillMembers();
    }
  }

  function roomJoined(room, reloaded) {
    readChanged(room);
    if (room.name === current) {
      if (reloaded) {
        renderRoom(room, session.nickname);
      } else {
        renderMembers(room, session.nickname); // recovered messages were appended already
      }
      fillMembers();
    }
  }

  function typingChanged(room) {
    if (room.name === current) {
      renderTyping(room);
    }
  }

  /** Another tab or device joined a room: it is listed, and shown only if the page showed none. */
  function roomAdded(name) {
    if (current) {
      renderSidebar();
    } else {
      switchTo(name);
    }
  }

  function roomDropped(name) {
    if (current === name) {
      switchToAnother();
    } else {
      renderSidebar();
    }
  }

  // ---- rooms: join, leave, list --------------------------------------------------------------------------------

  async function refreshServerRooms() {
    if (!session.ready()) {
      return;
    }
    try {
      const listing = await session.listRooms();
      serverRooms = Array.isArray(listing) ? listing : [];
      renderServerRooms(serverRooms, new Set(rooms.keys()));
    } catch (error) {
      showError(ui.roomError, describeError(error));
    }
  }

  /** Shows a room the page is in, or joins it. */
  async function joinRoom(requested) {
    const name = requested.trim();
    if (!name) {
      return;
    }
    const known = rooms.get(name) ?? rooms.get(name.toLowerCase());
    if (known) {
      switchTo(known.name);
      return;
    }
    if (!session.ready()) {
      return;
    }
    showError(ui.roomError, "");
    ui.roomJoinButton.disabled = true;
    try {
      switchTo(await session.join(name));
      ui.roomName.value = "";
      ui.message.focus();
      void refreshServerRooms();
    } catch (error) {
      showError(ui.roomError, describeError(error));
    } finally {
      updateControls();
    }
  }

  async function leaveCurrentRoom() {
    const name = current;
    if (!name || !session.ready()) {
      return;
    }
    showError(ui.roomError, "");
    ui.leaveRoom.disabled = true;
    try {
      await session.leave(name); // the session reports the room dropped, and another is shown
      void refreshServerRooms();
    } catch (error) {
      showError(ui.roomError, describeError(error));
    } finally {
      updateControls();
    }
  }

  return {
    get current() { return current; },
    currentRoom, updateControls, renderSidebar, switchTo, switchToAnother, afterOpen, forget,
    messagesAdded, messagesUpdated, noticeAdded, membersChanged, roomJoined, typingChanged, roomAdded, roomDropped, readChanged,
    markSeen, refreshServerRooms, joinRoom, leaveCurrentRoom, ...scrollback,
  };
}
