// Drawing the page. User-supplied text reaches the DOM only through textContent.

import { MAX_ENTRIES, typingText } from "./rooms.js";

const $ = (id) => document.getElementById(id);

export const ui = {
  who: $("who"),
  status: $("status"),
  statusText: $("status-text"),
  reconnect: $("reconnect"),
  signOut: $("sign-out"),
  join: $("join"),
  joinForm: $("join-form"),
  nickname: $("nickname"),
  joinButton: $("join-button"),
  joinError: $("join-error"),
  chat: $("chat"),
  roomList: $("room-list"),
  roomForm: $("room-form"),
  roomName: $("room-name"),
  roomJoinButton: $("room-join-button"),
  leaveRoom: $("leave-room"),
  roomError: $("room-error"),
  refreshRooms: $("refresh-rooms"),
  serverRooms: $("server-rooms"),
  roomTitle: $("room-title"),
  log: $("log"),
  loadOlder: $("load-older"),
  historyError: $("history-error"),
  messages: $("messages"),
  typing: $("typing"),
  composer: $("composer"),
  message: $("message"),
  sendButton: $("send-button"),
  sendError: $("send-error"),
  members: $("members"),
};

export function showError(element, text) {
  element.textContent = text ?? "";
  element.hidden = !text;
}

// ---- header -------------------------------------------------------------------------------------------------------

/** state: connecting | reconnecting | connected | disconnected; text replaces the default label. */
export function setStatus(state, text) {
  ui.status.dataset.state = state === "reconnecting" ? "connecting" : state;
  ui.statusText.textContent = text ?? {
    connecting: "Connecting…",
    reconnecting: "Reconnecting…",
    connected: "Connected",
    disconnected: "Disconnected",
  }[state];
  ui.reconnect.hidden = state !== "disconnected";
}

export function showPrompt(nickname, errorText) {
  ui.who.hidden = true;
  ui.signOut.hidden = true;
  ui.chat.hidden = true;
  ui.join.hidden = false;
  if (nickname) {
    ui.nickname.value = nickname;
  }
  showError(ui.joinError, errorText);
  ui.nickname.focus();
}

export function showChat(nickname) {
  ui.who.textContent = nickname;
  ui.who.hidden = false;
  ui.signOut.hidden = false;
  ui.join.hidden = true;
  ui.chat.hidden = false;
  showError(ui.joinError, "");
}

// ---- sidebar ------------------------------------------------------------------------------------------------------

export function renderRoomList(rooms, current) {
  const items = [...rooms.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((room) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "room-button";
      button.dataset.room = room.name;
      if (room.name === current) {
        button.setAttribute("aria-current", "true");
      }
      const name = document.createElement("span");
      name.className = "room-name";
      name.textContent = `#${room.name}`;
      button.append(name);
      if (room.unread > 0) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = room.unread > 99 ? "99+" : String(room.unread);
        badge.title = `${room.unread} unread`;
        button.append(badge);
      }
      const item = document.createElement("li");
      item.append(button);
      return item;
    });
  ui.roomList.replaceChildren(...items);
  ui.leaveRoom.hidden = !current;
  ui.leaveRoom.textContent = current ? `Leave #${current}` : "Leave room";
}

export function renderServerRooms(listing, joined) {
  if (!listing.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = "No rooms with members.";
    ui.serverRooms.replaceChildren(empty);
    return;
  }
  const items = [...listing]
    .sort((a, b) => String(a.room).localeCompare(String(b.room)))
    .map(({ room, members }) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "room-button";
      button.dataset.room = String(room);
      button.title = joined.has(room) ? "You are in this room" : "Join this room";
      const name = document.createElement("span");
      name.className = "room-name";
      name.textContent = `#${room}`;
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = `${members} ${members === 1 ? "member" : "members"}`;
      button.append(name, count);
      if (joined.has(room)) {
        button.classList.add("joined");
      }
      const item = document.createElement("li");
      item.append(button);
      return item;
    });
  ui.serverRooms.replaceChildren(...items);
}

export function renderMembers(room, me) {
  const names = room ? [...room.members].sort((a, b) => a.localeCompare(b)) : [];
  ui.members.replaceChildren(
    ...names.map((nickname) => {
      const item = document.createElement("li");
      item.textContent = nickname;
      if (nickname === me) {
        item.classList.add("own");
        const you = document.createElement("span");
        you.className = "you";
        you.textContent = " (you)";
        item.append(you);
      }
      return item;
    }),
  );
}

// ---- message list -------------------------------------------------------------------------------------------------

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

function isToday(date) {
  return date.toDateString() === new Date().toDateString();
}

function entryElement(entry, me) {
  const item = document.createElement("li");
  if (entry.kind === "notice") {
    item.className = entry.local ? "notice notice-local" : "notice";
    item.textContent = entry.text;
    return item;
  }

  item.className = "message";
  if (me && entry.nickname === me) {
    item.classList.add("own");
  }
  item.dataset.id = entry.id;
  item.dataset.seq = String(entry.seq);

  const meta = document.createElement("div");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "nickname";
  author.textContent = entry.nickname;
  meta.append(author);

  const sent = entry.sentAt ? new Date(entry.sentAt) : null;
  if (sent && !Number.isNaN(sent.getTime())) {
    const time = document.createElement("time");
    time.dateTime = sent.toISOString();
    time.title = fullFormat.format(sent);
    time.textContent = (isToday(sent) ? timeFormat : dateTimeFormat).format(sent);
    meta.append(" ", time);
  }

  const text = document.createElement("p");
  text.className = "text";
  text.textContent = entry.text;

  item.append(meta, text);
  return item;
}

function isNearBottom() {
  const log = ui.log;
  return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
}

function scrollToBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
}

/** Draws the current room from scratch: title, messages, loader, typing, members. */
export function renderRoom(room, me) {
  ui.roomTitle.textContent = room ? `#${room.name}` : "No room";
  ui.messages.replaceChildren(...(room ? room.entries.map((e) => entryElement(e, me)) : []));
  if (!room) {
    const empty = document.createElement("li");
    empty.className = "notice notice-local";
    empty.textContent = "You are in no room: join one from the list.";
    ui.messages.append(empty);
  }
  showError(ui.historyError, "");
  renderLoadOlder(room);
  renderTyping(room);
  renderMembers(room, me);
  scrollToBottom();
}

/** Adds entries at the bottom of the shown room, after dropping `dropped` from the top (the cap). */
export function appendEntries(entries, me, dropped = 0) {
  const stick = isNearBottom();
  for (let i = 0; i < dropped && ui.messages.firstElementChild; i++) {
    ui.messages.firstElementChild.remove();
  }
  ui.messages.append(...entries.map((e) => entryElement(e, me)));
  if (stick) {
    scrollToBottom();
  }
}

/** Adds older entries at the top of the shown room, keeping what the reader is looking at in place. */
export function prependEntries(entries, me) {
  const fromBottom = ui.log.scrollHeight - ui.log.scrollTop;
  ui.messages.prepend(...entries.map((e) => entryElement(e, me)));
  ui.log.scrollTop = ui.log.scrollHeight - fromBottom;
}

export function renderLoadOlder(room) {
  const button = ui.loadOlder;
  button.hidden = !room || !room.hasMore;
  if (!room) {
    return;
  }
  const full = room.entries.length >= MAX_ENTRIES;
  button.disabled = room.loadingOlder || full;
  button.textContent = room.loadingOlder
    ? "Loading…"
    : full
      ? `Only the latest ${MAX_ENTRIES} entries are kept here`
      : "Load older messages";
}

export function renderTyping(room) {
  ui.typing.textContent = room ? typingText(room.typing.keys()) : "";
}
