// The page's session with the chat: one SignalR connection to /hubs/chat, and what keeps the session across drops.
// No DOM here: chat.js has the page show what happens, through the hooks it passes in.
//
// Reconnects: SignalR's automatic reconnect brings the connection back after a drop; the page then calls Resume with
// its resume token and, per room, the epoch and last sequence number it saw. The server puts the new connection in
// the same rooms, without leave or join notices, and returns what was missed. If the grace period is over, the page
// registers the same nickname again and rejoins its rooms from where it was.
//
// The server holds a dropped session for its grace period (30 s by default), so the reconnect tries every few seconds
// all through it and beyond; once it gives up, the page starts again, less often, for as long as it is open.
// The user's other tabs and devices share the session: a room one joins or leaves, this one does too.

import {
  NICKNAME_TAKEN, SESSION_EXPIRED, TOO_MANY_CONNECTIONS, UNAVAILABLE, describeError, hubError,
} from "./errors.js";

const HUB_URL = "/hubs/chat";
const RECONNECT_FOR_MS = 90000;     // three default grace periods
const RECONNECT_DELAYS_MS = [0, 1000, 2000];
const RECONNECT_EVERY_MS = 3000;    // then this, give or take a quarter, so a front's clients do not come back at once
const RESTART_DELAYS_MS = [5000, 10000, 20000, 30000];  // after the reconnect gave up; the last one repeats
const START_RETRY_DELAYS_MS = [0, 2000, 5000, 10000];
const REREGISTER_ATTEMPTS = 3;      // the nickname may still be held for a moment by the session that expired
const REREGISTER_DELAY_MS = 1500;
const RESUME_ATTEMPTS = 3;          // when the server is briefly unavailable
const RESUME_DELAY_MS = 1000;
const CROWDED_ATTEMPTS = 8;         // the server counts a dropped connection for up to 30 s: outlast that
const CROWDED_DELAY_MS = 5000;
const TYPING_SEND_INTERVAL_MS = 2000;
const MARK_READ_INTERVAL_MS = 1000; // per room

// The hub's room events, and the type each is routed as.
const ROOM_EVENTS = {
  broadcast_message: "broadcast", presence: "presence", presence_batch: "presence_batch", history_reset: "history_reset",
  message_updated: "update",
};

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** SignalR's nextRetryDelayInMilliseconds: null gives up, and onclose starts again. */
function reconnectDelay({ previousRetryCount, elapsedMilliseconds }) {
  if (elapsedMilliseconds >= RECONNECT_FOR_MS) {
    return null;
  }
  return RECONNECT_DELAYS_MS[previousRetryCount] ?? RECONNECT_EVERY_MS * (0.75 + Math.random() / 2);
}

/**
 * signalR: the client library's global. feed: the rooms (roomfeed.js), which the hub's room events go to.
 * hooks, the moments the page shows:
 *   connecting()              a start began
 *   connected()               a start succeeded
 *   offline()                 the connection closed, or a start gave up: it starts again by itself, less often
 *   reconnecting()            the connection dropped; SignalR is trying to get it back
 *   reconnected()             it is back, and there was no session to resume
 *   catchingUp()              it is back, and the session is being resumed
 *   resumed(how, recovered)   the session is resumed; how: "recovered" (missed messages fetched), "reloaded"
 *                             (in some room, the latest messages replaced the list) or "restored" (a page that
 *                             loaded took the session it had, or its browser's, see restore)
 *   rejoined(recovered, reason)  the session had expired; a new one under the same nickname is back in the rooms.
 *                             reason: why the old one could not be resumed, as a sentence, or "" for plain expiry
 *   rejoinFailed(room, error) one room could not be rejoined; the page left it
 *   expired(nickname, error)  the session had expired and the nickname could not be registered again
 *   refused(nickname, error)  the session has all the tabs and devices it may have: this page stays out of it
 *   roomAdded(name)           another tab or device joined a room, so the page is in it too
 *   roomDropped(name)         the page is no longer in a room
 *   changed()                 the phase or the connection changed: what can be done now may differ
 */
export function createSession(signalR, feed, hooks) {
  const state = {
    nickname: null,       // set once registered
    token: null,          // the resume token
    phase: "prompt",      // prompt | registering | ready | resuming
    connected: false,
    signingOut: false,
    restoring: false,     // the session being resumed is one this page had before a reload
  };
  const lastTypingSent = new Map(); // room -> time of the last Typing call
  const readMarks = new Map();      // room -> { seq, sent, at, timer }
  const joinedMeanwhile = new Set(); // by another tab, while a resume was in flight: not the resume's to drop
  let starting = null;
  let restarting = false;

  const connection = new signalR.HubConnectionBuilder()
    .withUrl(HUB_URL)
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: reconnectDelay })
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  // The original's notice strings ("ana entrou no chat.") come for the default room only and repeat what `presence`
  // says; the page builds its notices from `presence`, for every room, and ignores these.
  connection.on("message", () => {});
  for (const [name, type] of Object.entries(ROOM_EVENTS)) {
    connection.on(name, (payload) => {
      if (payload && typeof payload.room === "string") {
        feed.route({ type, room: payload.room, payload });
      }
    });
  }
  connection.on("read_position", (payload) => {
    if (payload && typeof payload.room === "string") {
      feed.readPosition(payload);
    }
  });
  // Before any other event of its room: nothing to hold back.
  connection.on("room_joined", (joined) => {
    if (typeof joined?.room !== "string" || feed.rooms.has(joined.room)) {
      return; // this page joined it too
    }
    joinedMeanwhile.add(joined.room);
    feed.applyJoined(joined);
    hooks.roomAdded(joined.room);
  });
  connection.on("room_left", (payload) => {
    if (typeof payload?.room === "string") {
      drop(payload.room);
    }
  });
  connection.on("typing", (payload) => {
    if (payload && typeof payload.room === "string") {
      feed.someoneTyping(payload, state.nickname);
    }
  });

  connection.onreconnecting(() => {
    state.connected = false;
    hooks.reconnecting();
  });

  connection.onreconnected(() => {
    state.connected = true;
    void resume();
  });

  connection.onclose(() => {
    state.connected = false;
    if (state.signingOut) {
      return;
    }
    hooks.offline();
    void restart();
  });

  /**
   * After a close: starts again with backoff until it is connected, then takes the session back, as the reconnect
   * button does. One loop at a time, or two would each resume.
   */
  async function restart() {
    if (restarting) {
      return;
    }
    restarting = true;
    try {
      for (let attempt = 0; ; attempt++) {
        await delay(RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]);
        if (state.signingOut || connection.state !== signalR.HubConnectionState.Disconnected) {
          return; // signed out, or started already (the button)
        }
        if (await ensureStarted()) {
          await resume();
          return;
        }
      }
    } finally {
      restarting = false;
    }
  }

  function isConnected() {
    return connection.state === signalR.HubConnectionState.Connected;
  }

  function ready() {
    return state.connected && state.phase === "ready";
  }

  /** Starts the connection, retrying a few times; says offline when it gives up. */
  async function start() {
    hooks.connecting();
    for (const wait of START_RETRY_DELAYS_MS) {
      await delay(wait);
      try {
        if (connection.state === signalR.HubConnectionState.Disconnected) {
          await connection.start();
        } else if (!isConnected()) {
          continue; // SignalR is reconnecting by itself: wait for it
        }
        state.connected = true;
        hooks.connected();
        return true;
      } catch {
        // try again after the next delay
      }
    }
    hooks.offline();
    return false;
  }

  /** Starts the connection unless a start is already under way; resolves to whether it is connected. */
  function ensureStarted() {
    if (isConnected()) {
      return Promise.resolve(true);
    }
    starting ??= start().finally(() => {
      starting = null;
    });
    return starting;
  }

  /** Registers a nickname and takes in the default room, which Register joins; resolves to that room's name. */
  async function register(nickname) {
    state.phase = "registering";
    hooks.changed();
    feed.beginJoin();
    try {
      const result = await connection.invoke("Register", nickname);
      state.nickname = result.nickname;
      state.token = result.resumeToken;
      state.phase = "ready";
      feed.applyJoined(result.joined);
      for (const joined of result.otherRooms ?? []) {
        feed.applyJoined(joined);
      }
      return result.joined.room;
    } catch (error) {
      state.phase = "prompt";
      throw error;
    } finally {
      feed.endJoin();
    }
  }

  /** After a reconnect: takes the session back, or registers again once it expired. */
  async function resume() {
    if (!state.token) {
      hooks.reconnected();
      return;
    }

    state.phase = "resuming";
    hooks.catchingUp();
    joinedMeanwhile.clear();
    feed.holdAll();
    feed.beginJoin();
    try {
      for (let attempt = 1; ; attempt++) {
        let result;
        try {
          result = await connection.invoke("Resume", state.token, feed.positions());
        } catch (error) {
          if (!isConnected()) {
            return; // dropped again: the next reconnect resumes
          }
          const text = hubError(error);
          if (text === UNAVAILABLE && attempt < RESUME_ATTEMPTS) {
            await delay(RESUME_DELAY_MS);
            continue;
          }
          if (text === TOO_MANY_CONNECTIONS) {
            // Coming back, the page's own dropped connection may still count; opening, only the user can close tabs.
            if (!state.restoring && attempt < CROWDED_ATTEMPTS) {
              await delay(CROWDED_DELAY_MS);
              continue;
            }
            const nickname = state.nickname;
            state.restoring = false;
            forget();
            hooks.refused(nickname, error);
            return;
          }
          // Expired (or refused for another reason): the session is gone, start a new one under the same name.
          state.restoring = false;
          await registerAgain(text === SESSION_EXPIRED ? "" : describeError(error), error);
          return;
        }

        state.token = result.resumeToken ?? state.token;
        state.nickname = result.nickname ?? state.nickname;
        let recovered = 0;
        let reloaded = 0;
        const returned = new Set();
        for (const joined of result.rooms ?? []) {
          const outcome = feed.applyJoined(joined);
          recovered += outcome.recovered;
          reloaded += outcome.reloaded ? 1 : 0;
          returned.add(joined.room);
        }
        for (const name of [...feed.rooms.keys()]) {
          if (!returned.has(name) && !joinedMeanwhile.has(name)) {
            drop(name); // the server no longer has this session in it
          }
        }
        state.phase = "ready";
        const how = state.restoring ? "restored" : reloaded ? "reloaded" : "recovered";
        state.restoring = false;
        hooks.resumed(how, recovered);
        return;
      }
    } finally {
      if (state.phase === "resuming" && isConnected()) {
        state.phase = "ready"; // whatever happened, do not leave the page stuck
      }
      for (const room of feed.rooms.values()) {
        if (!isConnected()) {
          break; // keep holding: the next resume applies them
        }
        feed.releaseHeld(room);
      }
      feed.endJoin();
      hooks.changed();
    }
  }

  /** The session expired: registers the same nickname and rejoins the rooms the page was in, from where it was. */
  async function registerAgain(reason, error) {
    const nickname = state.nickname;
    if (!nickname) {
      forget(); // a device link's ended session: no nickname to take again
      hooks.expired(nickname, error);
      return;
    }
    readMarks.clear(); // a new session: mark again
    const previous = feed.positions();
    let result;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await connection.invoke("Register", nickname);
        break;
      } catch (error) {
        if (!isConnected()) {
          return; // the next reconnect tries again (Resume fails, then this)
        }
        if (hubError(error) === NICKNAME_TAKEN && attempt < REREGISTER_ATTEMPTS) {
          await delay(REREGISTER_DELAY_MS);
          continue;
        }
        forget();
        hooks.expired(nickname, error);
        return;
      }
    }

    state.token = result.resumeToken;
    state.nickname = result.nickname;
    state.phase = "ready";
    const registeredIn = result.joined.room; // the default room, which Register joins
    if (!feed.rooms.has(registeredIn)) {
      feed.applyJoined(result.joined);
    }
    let recovered = 0;
    for (const position of previous) {
      try {
        const joined = await connection.invoke("RejoinRoom", position.room, position.epoch, position.lastSeq);
        recovered += feed.applyJoined(joined).recovered;
      } catch (error) {
        if (!isConnected()) {
          return;
        }
        if (position.room === registeredIn) {
          feed.applyJoined(result.joined); // in it anyway: show its latest messages instead
        } else {
          drop(position.room);
          hooks.rejoinFailed(position.room, error);
        }
      }
    }
    hooks.rejoined(recovered, reason);
  }

  /**
   * After a reload, or in a new tab or device: takes the session (its rooms, with their latest messages, and its
   * nickname, null until then for a device link), or, once it has ended, registers the nickname again.
   */
  async function restore(nickname, token) {
    state.nickname = nickname;
    state.token = token;
    state.restoring = true;
    if (await ensureStarted()) {
      await resume();
    } else {
      void restart(); // until the connection is back, however long: the session, or the nickname, is taken back then
    }
  }

  /** Joins a room by name and takes it in; resolves to the room's name as the server spells it. */
  async function join(name) {
    feed.beginJoin();
    try {
      const joined = await connection.invoke("JoinRoom", name);
      // Another tab may have joined it first: then this page has had it since room_joined.
      if (!feed.rooms.has(joined.room)) {
        feed.applyJoined(joined);
      }
      return joined.room;
    } finally {
      feed.endJoin();
    }
  }

  /** Opens a direct conversation with the nicknames named and takes it in; resolves to what the server returned. */
  async function openConversation(nicknames) {
    feed.beginJoin();
    try {
      const opened = await connection.invoke("OpenConversation", nicknames);
      if (!feed.rooms.has(opened.joined.room)) {
        feed.applyJoined(opened.joined);
      }
      return opened;
    } finally {
      feed.endJoin();
    }
  }

  async function leave(name) {
    await connection.invoke("LeaveRoom", name);
    drop(name);
  }

  function drop(name) {
    if (feed.drop(name)) {
      lastTypingSent.delete(name);
      hooks.roomDropped(name);
    }
  }

  /** Forgets the session, rooms and all, without touching the connection. */
  function forget() {
    feed.clear();
    state.token = null;
    state.nickname = null;
    state.phase = "prompt";
    lastTypingSent.clear();
    readMarks.clear();
  }

  /** Closing the connection on purpose is a clean leave: the server announces it right away. */
  async function signOut() {
    state.signingOut = true;
    try {
      await connection.stop();
    } finally {
      state.signingOut = false;
    }
    forget();
  }

  /** Sends with the page's own id (outbox.js), so that sending again after a lost answer posts nothing twice. */
  function sendOnce(room, text, id, afterSeq) {
    lastTypingSent.delete(room); // the next keystroke announces typing again
    return connection.invoke("SendToRoomOnce", room, text, id, afterSeq);
  }

  /** Marks the room read up to seq for every device: at most once per interval, the latest; a failed one again. */
  function markRead(room, seq) {
    const mark = readMarks.get(room) ?? { seq: 0, sent: 0, at: 0 };
    readMarks.set(room, mark);
    mark.seq = Math.max(mark.seq, seq);
    if (!mark.timer && mark.seq > mark.sent) {
      mark.timer = setTimeout(() => {
        mark.timer = null;
        if (ready() && mark.seq > mark.sent) {
          Object.assign(mark, { sent: mark.seq, at: Date.now() });
          connection.invoke("MarkRead", room, mark.sent).catch(() => { mark.sent = 0; });
        }
      }, mark.at + MARK_READ_INTERVAL_MS - Date.now());
    }
  }

  /** Tells the room this user is typing, at most once per interval. */
  function typing(room) {
    if (!ready()) {
      return;
    }
    const now = Date.now();
    if (now - (lastTypingSent.get(room) ?? 0) < TYPING_SEND_INTERVAL_MS) {
      return;
    }
    lastTypingSent.set(room, now);
    connection.invoke("Typing", room).catch(() => {
      // typing is a hint: a lost one does not matter
    });
  }

  return {
    get nickname() { return state.nickname; },
    get token() { return state.token; },
    get phase() { return state.phase; },
    get connected() { return state.connected; },
    ready, ensureStarted, register, resume, restore, join, leave, signOut, sendOnce, typing, markRead,
    history: (room, before, limit) => connection.invoke("History", room, before, limit),
    members: (room, after, limit) => connection.invoke("Members", room, after, limit),
    listRooms: () => connection.invoke("ListRooms"),
    // Each resolves to the message's new state, as message_updated carries it.
    edit: (room, seq, text) => connection.invoke("EditMessage", room, seq, text),
    remove: (room, seq) => connection.invoke("DeleteMessage", room, seq),
    react: (room, seq, emoji, on) => connection.invoke("React", room, seq, emoji, on),
    openConversation,
    conversations: () => connection.invoke("Conversations"),
  };
}
