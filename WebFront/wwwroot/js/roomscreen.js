// The room on screen: which of the page's rooms is shown, the sidebar around it, and drawing what roomfeed.js
// reports as it happens (only the room shown is drawn; the others count unread messages). Joining, leaving and
// listing rooms start here, and marking read: a room is read once seen (shown, scrolled to its end, page visible).
// view.js does the drawing; this module decides what is drawn and when.

import { describeError } from "./errors.js";
import { t } from "./i18n.js";
import { countUnread } from "./rooms.js";
import { createScrollback } from "./scrollback.js";
import {
  announce, appendEntries, isNearBottom, openPanel, panelsCollapse, renderLoadOlder, renderMembers, renderRoom,
  renderRoomList, renderServerRooms, renderTyping, showError, showPanel, ui,
} from "./view.js";

/** session: session.js; rooms: the page's rooms by name (roomfeed.js keeps them). */
export function createRoomScreen(session, rooms) {
  let current = null;   // the name of the room shown
  let serverRooms = [];
  const scrollback = createScrollback(session, rooms, () => current);
  const { fillIfShort, fillMembers } = scrollback;

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

  /** Live messages from others are read out by screen readers in the room shown, counted as unread elsewhere. */
  function messagesAdded(room, added, dropped, live) {
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

  function readChanged(room) {
    const before = room.unread;
    if (countUnread(room, session.nickname) !== before) {
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
    messagesAdded, noticeAdded, membersChanged, roomJoined, typingChanged, roomAdded, roomDropped, readChanged,
    markSeen, refreshServerRooms, joinRoom, leaveCurrentRoom, ...scrollback,
  };
}
