// Messages written but not yet acknowledged. Each gets an id of the page's own and is kept in sessionStorage (per
// tab, per nickname and room, so a reload keeps it) until the server acknowledges it or the broadcast brings it. They
// are sent with SendToRoomOnce one at a time, in the order written, whenever the session is ready: a repeat after a
// lost acknowledgement is answered with the first one, never posted twice (docs/protocol.md §4.13). No DOM here.

import { NOT_REGISTERED, UNAVAILABLE, hubError } from "./errors.js";

const PREFIX = "chat.outbox:";   // + nickname key + ":" + room
const UNAVAILABLE_RETRY_MS = 3000;

/** A version 4 UUID; crypto.randomUUID exists only on https and localhost pages. */
function newId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * session: session.js; rooms: the page's rooms by name. changed(room, refused) is told whenever the room's entries
 * changed; refused: the entry the server just refused, if that is the change.
 * An entry: { id, room, text, afterSeq, at, state: waiting | sending | sent | failed, error: the server's text }.
 */
export function createOutbox(session, rooms, changed) {
  let entries = [];
  let owner = null;       // the key of the nickname the entries are kept for
  let flushing = false;

  /** Takes in what this tab kept for the session's nickname: after a register or resume, a reload included. */
  function open(nickname) {
    const key = String(nickname).normalize("NFKC").toUpperCase();
    if (key === owner) {
      return;
    }
    owner = key;
    entries = [];
    try {
      for (let i = 0; i < sessionStorage.length; i++) {
        if (sessionStorage.key(i).startsWith(`${PREFIX}${owner}:`)) {
          entries.push(...JSON.parse(sessionStorage.getItem(sessionStorage.key(i))).map((e) => ({ ...e, state: e.error ? "failed" : "waiting" })));
        }
      }
    } catch {
      // storage disabled or garbled: nothing was kept
    }
    entries.sort((a, b) => a.at - b.at);
    new Set(entries.map((e) => e.room)).forEach(changed);
  }

  function save(room, refused) {
    const kept = entries.filter((e) => e.room === room && e.state !== "sent")
      .map(({ id, text, afterSeq, at, error }) => ({ id, room, text, afterSeq, at, error }));
    try {
      if (kept.length) {
        sessionStorage.setItem(`${PREFIX}${owner}:${room}`, JSON.stringify(kept));
      } else {
        sessionStorage.removeItem(`${PREFIX}${owner}:${room}`);
      }
    } catch {
      // the entry then lasts for this page only
    }
    changed(room, refused);
  }

  /** A message written in a room: kept, shown as pending, and sent as soon as the session can. */
  function add(room, text) {
    const afterSeq = rooms.get(room)?.lastSeq ?? 0;
    entries.push({ id: newId(), room, text, afterSeq, at: Date.now(), state: "waiting", error: null });
    save(room);
    void flush();
  }

  /** Sends what waits, in order, while the session is ready; stops at the first sign that the connection is gone. */
  async function flush() {
    if (flushing) {
      return;
    }
    flushing = true;
    try {
      for (let entry; session.ready() && (entry = entries.find((e) => e.state === "waiting" && rooms.has(e.room)));) {
        entry.state = "sending";
        changed(entry.room);
        try {
          await session.sendOnce(entry.room, entry.text, entry.id, entry.afterSeq);
          entry.state = "sent"; // shown until its broadcast arrives, which may have already
          if (rooms.get(entry.room)?.ids.has(entry.id)) {
            remove(entry);
          }
          save(entry.room);
        } catch (error) {
          const text = hubError(error);
          if (text === null || text === NOT_REGISTERED || text === UNAVAILABLE) {
            entry.state = "waiting"; // the connection or the server is away: the next resume sends it
            changed(entry.room);
            if (text === UNAVAILABLE) {
              setTimeout(flush, UNAVAILABLE_RETRY_MS);
            }
            return;
          }
          entry.state = "failed";
          entry.error = text;
          save(entry.room, entry);
        }
      }
    } finally {
      flushing = false;
    }
  }

  function remove(entry) {
    entries = entries.filter((e) => e !== entry);
  }

  /**
   * Messages that reached the room (broadcast, resume): their pending entries are the real thing now. After a join,
   * whatever was acknowledged is in the room's history, shown or not.
   */
  function delivered(room, ids, joined = false) {
    const gone = entries.filter((e) => e.room === room && (ids.has(e.id) || (joined && e.state === "sent")));
    if (gone.length) {
      gone.forEach(remove);
      save(room);
    }
  }

  /**
   * A refused entry, sent again as a new message: a refused send posted nothing, except after TooLateToSendOnce,
   * where the user has seen the room and chosen to send it again.
   */
  function retry(id) {
    const entry = entries.find((e) => e.id === id && e.state === "failed");
    if (entry) {
      Object.assign(entry, { id: newId(), afterSeq: rooms.get(entry.room)?.lastSeq ?? 0, state: "waiting", error: null });
      save(entry.room);
      void flush();
    }
  }

  function discard(id) {
    const entry = entries.find((e) => e.id === id);
    if (entry) {
      remove(entry);
      save(entry.room);
    }
  }

  return {
    open, add, flush, delivered, retry, discard,
    of: (room) => entries.filter((e) => e.room === room),
    /** Signed out: the entries stay in storage for the next time this nickname is used in the tab. */
    close() {
      owner = null;
      entries = [];
    },
  };
}
