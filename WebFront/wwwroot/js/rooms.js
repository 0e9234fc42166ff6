// What the page knows about each room it is in. No DOM here: roomfeed.js and scrollback.js fill it, view.js draws it.

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
    entries: [],            // { kind: "message", id, seq, nickname, sentAt, ...stateOf } | { kind: "notice", key, … }
    ids: new Set(),         // ids of the messages in entries
    members: [],            // paged in from the server, in its order: see resetMembers
    joinedSince: [],        // joined after the first page, newest first
    memberSet: new Set(),   // every nickname in members and joinedSince
    memberCount: 0,         // the room's total, from the server
    membersAfter: null,     // the cursor for the next page
    moreMembers: false,     // the server has members after the cursor
    membersRequest: null,   // the Members call in flight, one at a time
    membersError: "",
    unread: 0,
    mentioned: 0,           // of the unread, how many mention the user
    readSeq: 0,             // read up to, on any device (the server's)
    seenSeq: 0,             // seen up to, on this page
    lineAfter: 0,           // the "new messages" line follows this seq
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
    sentAt: broadcast.sentAt ?? null,
    ...stateOf(broadcast),
  };
}

/** What edits, deletes and reactions change, from a message or message_updated; updatedSeq numbers the last change. */
function stateOf(message) {
  return {
    text: String(message.msg ?? ""),
    mentions: Array.isArray(message.mentions) ? message.mentions.map(String) : [], // the members it mentions
    editedAt: message.editedAt ?? null,
    deleted: Boolean(message.deleted),
    reactions: (Array.isArray(message.reactions) ? message.reactions : [])
      .map((r) => ({ emoji: String(r.emoji), by: (r.by ?? []).map(String) })), // the count is by's length
    updatedSeq: Number(message.updatedSeq) || 0,
  };
}

/**
 * Takes a message's new state if it is newer than the one shown, so that a repeat or an older copy never rolls it
 * back; returns the entry, or null. Only a room event moves the position: a call's result (EditMessage and the others)
 * may come before messages numbered under it.
 */
export function applyUpdate(room, update, position = true) {
  const state = stateOf(update);
  if (position) {
    room.lastSeq = Math.max(room.lastSeq, state.updatedSeq);
  }
  const entry = room.entries.find((e) => e.kind === "message" && e.seq === Number(update.seq));
  return entry && state.updatedSeq > entry.updatedSeq ? Object.assign(entry, state) : null;
}

/** A nickname as the server compares them (docs/protocol.md §6): `@BIA` mentions bia. */
export function nicknameKey(nickname) {
  return String(nickname).normalize("NFKC").toUpperCase();
}

export function mentionsMe(entry, me) {
  return Boolean(me) && entry.mentions?.some((name) => nicknameKey(name) === nicknameKey(me));
}

/** The sequence number of the oldest message shown, or the next one when none is. */
export function oldestSeq(room) {
  const first = room.entries.find((e) => e.kind === "message");
  return first ? first.seq : room.lastSeq + 1;
}

/** Messages from others not read on any device, loaded or not; those loaded that mention the user apart too. */
export function countUnread(room, me) {
  const read = Math.max(room.readSeq, room.seenSeq);
  const messages = room.entries.filter((e) => e.kind === "message" && e.seq > read && !e.deleted);
  const notLoaded = room.hasMore && messages.length ? Math.max(0, messages[0].seq - 1 - read) : 0;
  const fromOthers = messages.filter((e) => e.nickname !== me);
  room.mentioned = fromOthers.filter((e) => mentionsMe(e, me)).length;
  room.unread = notLoaded + fromOthers.length;
  return room.unread;
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

// Members. The server pages them in the order of its nickname key (NFKC and case folding, compared ordinally),
// which the page cannot reproduce, so it never sorts: `members` keeps the server's order and its last name is the
// cursor for the next page. Someone who joins cannot be placed in that order, so they go first, in `joinedSince`,
// newest first; a later page that brings them again skips them. A join, resume or rejoin starts over from the
// server's first page. Who is counted comes from the server's memberCount, never from what is loaded.

/** Starts the member list over from a room as a join returned it: its first page and total. */
export function resetMembers(room, joined) {
  if (room.membersRequest) {
    room.membersRequest.stale = true;
  }
  room.members = [];
  room.joinedSince = [];
  room.memberSet = new Set();
  room.membersError = "";
  const names = (joined.members ?? []).map(String);
  for (const name of names) {
    if (!room.memberSet.has(name)) {
      room.memberSet.add(name);
      room.members.push(name);
    }
  }
  room.membersAfter = names.at(-1) ?? null;
  const count = Number(joined.memberCount);
  room.memberCount = Number.isFinite(count) ? count : room.members.length;
  room.moreMembers = room.members.length < room.memberCount;
}

/** Marks the start of a Members call; what changes meanwhile decides how its page is taken in. */
export function beginMemberPage(room) {
  room.membersRequest = { stale: false, left: new Set(), countChanged: false };
  room.membersError = "";
  return room.membersRequest;
}

/**
 * Appends a page from Members. The page may predate presence events that arrived before it: names that left
 * meanwhile are skipped, and the count the events gave is kept.
 */
export function addMemberPage(room, page, request) {
  const names = (page.members ?? []).map(String);
  for (const name of names) {
    if (!room.memberSet.has(name) && !request.left.has(name)) {
      room.memberSet.add(name);
      room.members.push(name);
    }
  }
  room.membersAfter = names.at(-1) ?? room.membersAfter;
  room.moreMembers = Boolean(page.hasMore) && names.length > 0;
  const count = Number(page.memberCount);
  if (!request.countChanged && Number.isFinite(count)) {
    room.memberCount = count;
  }
}

export function memberJoined(room, name) {
  room.membersRequest?.left.delete(name);
  if (!room.memberSet.has(name)) {
    room.memberSet.add(name);
    room.joinedSince.unshift(name);
  }
}

export function memberLeft(room, name) {
  room.membersRequest?.left.add(name);
  if (room.memberSet.delete(name)) {
    for (const list of [room.joinedSince, room.members]) {
      const at = list.indexOf(name);
      if (at >= 0) {
        list.splice(at, 1);
      }
    }
  }
}

/** The total after presence events; the server's count is the truth, what is loaded only a fallback. */
export function setMemberCount(room, memberCount) {
  const count = Number(memberCount);
  room.memberCount = Number.isFinite(count) && count >= 0 ? count : Math.max(room.memberCount, room.memberSet.size);
  if (room.membersRequest) {
    room.membersRequest.countChanged = true;
  }
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
