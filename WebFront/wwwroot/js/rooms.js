// What the page knows about each room it is in. No DOM here: chat.js decides, view.js draws.

import { t } from "./i18n.js";
//
// Per room the page keeps the history epoch and the last sequence number seen. A broadcast at or below that number
// was already shown (it came twice, e.g. around a reconnect) and is ignored, so every message appears once, in order.

export const MAX_ENTRIES = 500; // per room; the oldest entries are dropped past this many

export function createRoom(name) {
  return {
    name,
    epoch: null,
    lastSeq: 0,
    entries: [],            // { kind: "message", id, seq, nickname, text, sentAt } | { kind: "notice", key, params, local }
    ids: new Set(),         // ids of the messages in entries
    members: new Set(),
    unread: 0,
    hasMore: false,         // older messages can be loaded
    loadingOlder: false,
    pending: null,          // events held back while a join or resume for this room is in flight
    typing: new Map(),      // nickname -> expiry timer
  };
}

function messageEntry(broadcast) {
  return {
    kind: "message",
    id: String(broadcast.id),
    seq: Number(broadcast.seq),
    nickname: String(broadcast.nickname ?? "?"),
    text: String(broadcast.msg ?? ""),
    sentAt: broadcast.sentAt ?? null,
  };
}

/** The sequence number of the oldest message shown, or the next one when none is. */
export function oldestSeq(room) {
  const first = room.entries.find((e) => e.kind === "message");
  return first ? first.seq : room.lastSeq + 1;
}

/** Adds a live or recovered message after the others; null when it was already seen. */
export function acceptMessage(room, broadcast) {
  const entry = messageEntry(broadcast);
  if (!Number.isFinite(entry.seq) || entry.seq <= room.lastSeq) {
    return null;
  }
  room.lastSeq = entry.seq;
  if (room.ids.has(entry.id)) {
    return null;
  }
  room.ids.add(entry.id);
  room.entries.push(entry);
  return entry;
}

/** A line such as "ana joined.", kept as a text key so that it can be drawn again in another language. */
export function addNotice(room, key, params = {}, local = false) {
  const entry = { kind: "notice", key, params, local };
  room.entries.push(entry);
  return entry;
}

/** Drops the oldest entries past the cap; returns how many were dropped. */
export function trim(room) {
  let dropped = 0;
  while (room.entries.length > MAX_ENTRIES) {
    const entry = room.entries.shift();
    if (entry.kind === "message") {
      room.ids.delete(entry.id);
      room.hasMore = true;
    }
    dropped++;
  }
  return dropped;
}

/** Replaces what is shown with the latest messages from a join: a history reload. */
export function resetMessages(room, joined) {
  room.epoch = joined.epoch;
  room.entries = [];
  room.ids = new Set();
  room.lastSeq = 0;
  const messages = [...(joined.messages ?? [])].sort((a, b) => a.seq - b.seq);
  for (const message of messages) {
    acceptMessage(room, message);
  }
  room.lastSeq = Math.max(room.lastSeq, Number(joined.lastSeq) || 0);
  room.hasMore = oldestSeq(room) > 1;
  trim(room);
}

/** Puts a page of older messages (oldest first) before the ones shown; returns the entries added, oldest first. */
export function prependOlder(room, messages) {
  const before = oldestSeq(room);
  const added = [];
  for (const message of messages ?? []) {
    const entry = messageEntry(message);
    if (entry.seq < before && !room.ids.has(entry.id)) {
      room.ids.add(entry.id);
      added.push(entry);
    }
  }
  added.sort((a, b) => a.seq - b.seq);
  room.entries.unshift(...added);
  return added;
}

/** "ana is typing…", "ana and bia are typing…", "ana, bia and 2 others are typing…", in the page's language. */
export function typingText(nicknames) {
  const [a, b, c] = nicknames;
  switch (nicknames.length) {
    case 0:
      return "";
    case 1:
      return t("typing.1", { a });
    case 2:
      return t("typing.2", { a, b });
    case 3:
      return t("typing.3", { a, b, c });
    default:
      return t("typing.more", { a, b, n: nicknames.length - 2 });
  }
}
