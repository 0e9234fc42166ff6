// The rooms the session is in, fed by what the server says about them: join results, broadcasts, message updates
// (edits, deletes, reactions), presence, typing.
// No DOM here: rooms.js keeps each room's model, this module decides what goes into it and in what order, and tells
// its hooks what changed; chat.js passes roomscreen.js's, which draw it.
//
// A room's events can arrive before the page knows the room (a join's result comes after the first broadcasts), or
// while a resume is still catching the room up. They are held, and applied after the room's messages from the join
// or resume, so that every message appears once, in order.

import {
  acceptMessage, addNotice, applyUpdate, createRoom, memberJoined, memberLeft, resetMembers, resetMessages,
  setMemberCount, trim,
} from "./rooms.js";

const TYPING_SHOWN_MS = 4000;
// A presence_batch with more changes than this is told as one summary line ("12 people joined, 3 left."), so that
// a crowd arriving does not flood the messages or the screen reader.
const PRESENCE_SUMMARY_OVER = 3;

/**
 * hooks, each told about one room after its model changed:
 *   messagesAdded(room, entries, dropped, live)  messages appended (live: as they happen, not caught up); dropped is
 *                                                how many of the oldest entries went to make room
 *   noticeAdded(room, entry, dropped)            a notice line appended
 *   messagesUpdated(room, entries)               shown messages took a newer state: edited, deleted, reacted to
 *   membersChanged(room)                         members or their count changed
 *   roomJoined(room, reloaded)                   a join, resume or rejoin took the room in; reloaded: its messages
 *                                                were replaced by the latest ones
 *   typingChanged(room)                          who is typing changed
 *   readChanged(room)                            the user read the room further, on this device or another
 */
export function createFeed(hooks) {
  /** @type {Map<string, ReturnType<typeof createRoom>>} */
  const rooms = new Map();
  // Events for rooms the page is joining but does not know yet.
  const orphans = new Map();
  let joinsInFlight = 0;

  function beginJoin() {
    joinsInFlight++;
  }

  function endJoin() {
    if (--joinsInFlight === 0) {
      orphans.clear();
    }
  }

  /** Room events go through here so that they can wait while a join or resume for their room is in flight. */
  function route(event) {
    const room = rooms.get(event.room);
    if (!room) {
      if (joinsInFlight > 0) {
        const queue = orphans.get(event.room) ?? [];
        queue.push(event);
        orphans.set(event.room, queue);
      }
      return;
    }
    if (room.pending) {
      room.pending.push(event);
      return;
    }
    apply(room, event);
  }

  function apply(room, event) {
    if (event.type === "broadcast") {
      addMessages(room, [event.payload], true);
    } else if (event.type === "presence") {
      applyPresence(room, [event.payload], event.payload.memberCount);
    } else if (event.type === "presence_batch") {
      applyPresence(room, event.payload.changes, event.payload.memberCount);
    } else if (event.type === "history_reset") {
      applyReset(room, event.payload);
    } else if (event.type === "update") {
      applyUpdates(room, [event.payload]);
    }
  }

  /**
   * Message updates, each the whole new state of one message, in the room's sequence like messages: one that is not
   * newer than what is shown (a repeat, an older copy), or for a message not loaded, changes nothing but the position.
   * position false: a call's own result, which does not say where the room is.
   */
  function applyUpdates(room, updates, position = true) {
    const changed = updates.map((u) => applyUpdate(room, u, position)).filter(Boolean);
    if (changed.length) {
      hooks.messagesUpdated(room, changed);
    }
  }

  /** What EditMessage, DeleteMessage or React returned: shown at once, before its message_updated comes. */
  function updated(update) {
    const room = rooms.get(update?.room);
    if (room) {
      applyUpdates(room, [update], false);
    }
  }

  /**
   * The room's history moved to a new epoch: its store went back, and some messages may be gone from it. What is
   * shown stays; the new epoch's latest messages are added unless already shown (by id), and numbering follows the
   * new epoch from here on.
   */
  function applyReset(room, reset) {
    if (reset.epoch === room.epoch) {
      return;
    }
    room.epoch = reset.epoch;
    room.lastSeq = 0;
    notice(room, "notice.historyReset");
    addMessages(room, [...(reset.messages ?? [])].sort((a, b) => a.seq - b.seq));
    room.lastSeq = Math.max(room.lastSeq, Number(reset.lastSeq) || 0);
  }

  /** Appends messages not seen yet; returns how many were new. */
  function addMessages(room, broadcasts, live = false) {
    const added = [];
    for (const broadcast of broadcasts) {
      const entry = acceptMessage(room, broadcast);
      if (entry) {
        added.push(entry);
        stopTyping(room, entry.nickname);
      }
    }
    if (!added.length) {
      return 0;
    }
    const dropped = trim(room);
    hooks.messagesAdded(room, added, dropped, live);
    return added.length;
  }

  /** A notice line such as "You joined again.", after the room's other entries. */
  function notice(room, key, params = {}, local = false) {
    const entry = addNotice(room, key, params, local);
    const dropped = trim(room);
    hooks.noticeAdded(room, entry, dropped);
  }

  /**
   * Joins and leaves in the order they happened, worded by the page in its own language (the server's `message`
   * notices are Portuguese); a big batch gets one summary line instead of one each. memberCount is the room's total
   * after them.
   */
  function applyPresence(room, changes, memberCount) {
    const known = (Array.isArray(changes) ? changes : []).filter((c) => c?.kind === "joined" || c?.kind === "left");
    const summarize = known.length > PRESENCE_SUMMARY_OVER;
    for (const { nickname, kind } of known) {
      const name = String(nickname ?? "");
      if (kind === "joined") {
        memberJoined(room, name);
      } else {
        memberLeft(room, name);
        stopTyping(room, name);
      }
      if (!summarize) {
        notice(room, kind === "joined" ? "notice.joined" : "notice.left", { nickname: name });
      }
    }
    if (summarize) {
      const joined = known.filter((c) => c.kind === "joined").length;
      notice(room, "notice.batch", { joined, left: known.length - joined });
    }
    setMemberCount(room, memberCount);
    hooks.membersChanged(room);
  }

  /**
   * Takes in a room as the server returned it from Register, JoinRoom or Resume. With recovered set, its messages
   * are exactly the ones missed and are appended; otherwise they are the latest ones and replace the list. Events
   * held back meanwhile are applied after. Returns how many messages were recovered and whether history was reloaded.
   */
  function applyJoined(joined) {
    let room = rooms.get(joined.room);
    const held = [...(orphans.get(joined.room) ?? []), ...(room?.pending ?? [])];
    orphans.delete(joined.room);
    let recovered = 0;
    let reloaded = false;
    // A room never marked read counts as read up to the join.
    const read = joined.readSeq == null ? null : Number(joined.readSeq) || 0;
    if (!room) {
      room = createRoom(joined.room);
      rooms.set(room.name, room);
      resetMessages(room, joined);
      room.readSeq = read ?? room.lastSeq;
      room.lineAfter = room.readSeq;
    } else {
      room.readSeq = Math.max(room.readSeq, read ?? 0);
      room.pending = null;
      if (joined.recovered && joined.epoch === room.epoch) {
        recovered = addMessages(room, joined.messages ?? []);
        applyUpdates(room, joined.updates ?? []); // changes to messages shown before, after the messages missed
        room.lastSeq = Math.max(room.lastSeq, Number(joined.lastSeq) || 0);
      } else {
        resetMessages(room, joined);
        addNotice(room, "notice.reloaded", {}, true);
        reloaded = true;
      }
    }
    resetMembers(room, joined);
    hooks.roomJoined(room, reloaded);
    for (const event of held) {
      apply(room, event);
    }
    return { recovered, reloaded };
  }

  /** From now until applyJoined or releaseHeld, the rooms' events wait: a resume is about to catch them up. */
  function holdAll() {
    for (const room of rooms.values()) {
      room.pending ??= [];
    }
  }

  /** Applies events held for a room whose join or resume did not complete. */
  function releaseHeld(room) {
    const held = room.pending ?? [];
    room.pending = null;
    for (const event of held) {
      apply(room, event);
    }
  }

  /** Where the page is in each room, as Resume and RejoinRoom take it. */
  function positions() {
    return [...rooms.values()].map((r) => ({ room: r.name, epoch: r.epoch, lastSeq: r.lastSeq }));
  }

  /** Forgets a room; returns whether the page was in it. */
  function drop(name) {
    const room = rooms.get(name);
    if (!room) {
      return false;
    }
    for (const timer of room.typing.values()) {
      clearTimeout(timer);
    }
    rooms.delete(name);
    return true;
  }

  /** Forgets every room and every held event. */
  function clear() {
    for (const room of rooms.values()) {
      for (const timer of room.typing.values()) {
        clearTimeout(timer);
      }
    }
    rooms.clear();
    orphans.clear();
  }

  /** read_position: the user read a room up to seq, here or on another device. */
  function readPosition({ room: name, seq }) {
    const room = rooms.get(name);
    if (room && Number(seq) > room.readSeq) {
      room.readSeq = Number(seq);
      hooks.readChanged(room);
    }
  }

  /** Someone is typing; shown for a few seconds unless they type again. me: the session's own nickname, not shown. */
  function someoneTyping({ room: name, nickname }, me) {
    const room = rooms.get(name);
    const who = String(nickname ?? "");
    if (!room || !who || who === me) {
      return;
    }
    clearTimeout(room.typing.get(who));
    room.typing.set(who, setTimeout(() => stopTyping(room, who), TYPING_SHOWN_MS));
    hooks.typingChanged(room);
  }

  function stopTyping(room, nickname) {
    if (!room.typing.has(nickname)) {
      return;
    }
    clearTimeout(room.typing.get(nickname));
    room.typing.delete(nickname);
    hooks.typingChanged(room);
  }

  return {
    rooms, beginJoin, endJoin, route, notice, applyJoined, holdAll, releaseHeld, positions, drop, clear, someoneTyping,
    readPosition, updated,
  };
}
