// OrleansChat page: one SignalR connection to /hubs/chat, a nickname prompt, then the rooms.
//
// Reconnects: SignalR's automatic reconnect brings the connection back after a drop; the page then calls Resume with
// its resume token and, per room, the epoch and last sequence number it saw. The server puts the new connection in
// the same rooms, without leave or join notices, and returns what was missed. If the grace period is over, the page
// registers the same nickname again and rejoins its rooms from where it was.

import { NICKNAME_TAKEN, SESSION_EXPIRED, UNAVAILABLE, describeError, hubError } from "./errors.js";
import { initialLanguage, language, setLanguage, t } from "./i18n.js";
import {
  MAX_ENTRIES, acceptMessage, addMemberPage, addNotice, beginMemberPage, createRoom, memberJoined, memberLeft,
  oldestSeq, prependOlder, resetMembers, resetMessages, setMemberCount, trim,
} from "./rooms.js";
import {
  announce, appendEntries, atTop, hideBanner, membersNearEnd, onLogScrolled, openPanel, panelsCollapse,
  prependEntries, renderLoadOlder, renderMembers, renderRoom, renderRoomList, renderServerRooms, renderTyping,
  scrollToBottom, setStatus, showBanner, showChat, showError, showPanel, showPrompt, translatePage, ui,
} from "./view.js";

const HUB_URL = "/hubs/chat";
// Automatic reconnect keeps trying for a little over a minute, longer than the server's 30 s grace period.
const RECONNECT_DELAYS_MS = [0, 1000, 2000, 5000, 5000, 10000, 10000, 10000, 10000, 10000];
const START_RETRY_DELAYS_MS = [0, 2000, 5000, 10000];
const REREGISTER_ATTEMPTS = 3;      // the nickname may still be held for a moment by the session that expired
const REREGISTER_DELAY_MS = 1500;
const RESUME_ATTEMPTS = 3;          // when the server is briefly unavailable
const RESUME_DELAY_MS = 1000;
const TYPING_SEND_INTERVAL_MS = 2000;
const TYPING_SHOWN_MS = 4000;
const HISTORY_PAGE = 50;
const MEMBER_PAGE = 100;
// A presence_batch with more changes than this is told as one summary line ("12 people joined, 3 left."), so that
// a crowd arriving does not flood the messages or the screen reader.
const PRESENCE_SUMMARY_OVER = 3;
const RECOVERED_SHOWN_MS = 30000;   // how long the header and the banner say what a reconnect recovered
const NICKNAME_KEY = "chat.nickname"; // the last nickname used, to fill in the prompt next time

const session = {
  nickname: null,       // set once registered
  token: null,          // the resume token
  current: null,        // the room shown
  phase: "prompt",      // prompt | registering | ready | resuming
  connected: false,
  signingOut: false,
  lastTypingSent: new Map(), // room -> time of the last Typing call
};
/** @type {Map<string, ReturnType<typeof createRoom>>} */
const rooms = new Map();
// Events for rooms the page is joining but does not know yet (they can arrive before the join's result).
const orphans = new Map();
let joinsInFlight = 0;
let serverRooms = [];
let statusTimer = 0;
// What the header and the banner say, kept as text keys so that a language switch can draw them again.
let statusShown = { state: "connecting", key: undefined, params: {} };
let bannerShown = null;

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

setLanguage(initialLanguage());
translatePage();
ui.language.value = language();

function status(state, key, params) {
  statusShown = { state, key, params };
  setStatus(state, key, params);
}

function banner(tone, key, params, options) {
  bannerShown = { tone, key, params, options };
  showBanner(tone, key, params, options);
}

function clearBanner() {
  bannerShown = null;
  hideBanner();
}

/**
 * Says in the header and the banner what a reconnect did, then goes back to a plain "Connected".
 * how: "recovered" (messages fetched one by one), "reloaded" (latest messages reloaded), "rejoined" (new session).
 */
function showReconnected(how, recovered) {
  status("connected", how === "reloaded" ? "status.reloaded" : "status.recovered", { n: recovered });
  banner("ok", `banner.${how}`, { n: recovered });
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    if (session.connected) {
      status("connected");
      if (bannerShown?.tone === "ok") {
        clearBanner();
      }
    }
  }, RECOVERED_SHOWN_MS);
}

function ready() {
  return session.connected && session.phase === "ready";
}

function updateControls() {
  ui.joinButton.disabled = session.phase !== "prompt";
  ui.sendButton.disabled = !ready() || !session.current;
  ui.roomJoinButton.disabled = !ready();
  ui.leaveRoom.disabled = !ready() || !session.current;
  ui.refreshRooms.disabled = !ready();
}

function currentRoom() {
  return session.current ? rooms.get(session.current) ?? null : null;
}

function renderSidebar() {
  renderRoomList(rooms, session.current);
  renderServerRooms(serverRooms, new Set(rooms.keys()));
  updateControls();
}

function switchTo(name) {
  if (openPanel() && panelsCollapse()) {
    showPanel(null);
  }
  session.current = rooms.has(name) ? name : null;
  const room = currentRoom();
  if (room) {
    room.unread = 0;
  }
  renderRoom(room, session.nickname);
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

// ---- room events --------------------------------------------------------------------------------------------------

function beginJoin() {
  joinsInFlight++;
}

function endJoin() {
  if (--joinsInFlight === 0) {
    orphans.clear();
  }
}

/** Room events go through here so that they can wait while a join or resume for their room is in flight. */
function routeRoomEvent(event) {
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
  applyRoomEvent(room, event);
}

function applyRoomEvent(room, event) {
  if (event.type === "broadcast") {
    addMessages(room, [event.payload], true);
  } else if (event.type === "presence") {
    applyPresence(room, [event.payload], event.payload.memberCount);
  } else if (event.type === "presence_batch") {
    applyPresence(room, event.payload.changes, event.payload.memberCount);
  }
}

/** Appends messages not seen yet; returns how many were new. Live ones from others are read out by screen readers. */
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
  if (room.name === session.current) {
    appendEntries(added, session.nickname, dropped);
    renderLoadOlder(room);
    if (live) {
      for (const entry of added.filter((e) => e.nickname !== session.nickname)) {
        announce(t("announce.message", { nickname: entry.nickname, text: entry.text }));
      }
    }
  } else {
    const fromOthers = added.filter((e) => e.nickname !== session.nickname).length;
    if (fromOthers) {
      room.unread += fromOthers;
      renderRoomList(rooms, session.current);
    }
  }
  return added.length;
}

function addRoomNotice(room, key, params = {}, local = false) {
  const entry = addNotice(room, key, params, local);
  const dropped = trim(room);
  if (room.name === session.current) {
    appendEntries([entry], session.nickname, dropped);
    announce(t(key, params));
  }
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
      addRoomNotice(room, kind === "joined" ? "notice.joined" : "notice.left", { nickname: name });
    }
  }
  if (summarize) {
    const joined = known.filter((c) => c.kind === "joined").length;
    addRoomNotice(room, "notice.batch", { joined, left: known.length - joined });
  }
  setMemberCount(room, memberCount);
  if (room.name === session.current) {
    renderMembers(room, session.nickname);
    fillMembers();
  }
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
  if (!room) {
    room = createRoom(joined.room);
    rooms.set(room.name, room);
    resetMessages(room, joined);
  } else {
    room.pending = null;
    if (joined.recovered && joined.epoch === room.epoch) {
      recovered = addMessages(room, joined.messages ?? []);
      room.lastSeq = Math.max(room.lastSeq, Number(joined.lastSeq) || 0);
    } else {
      resetMessages(room, joined);
      addNotice(room, "notice.reloaded", {}, true);
      reloaded = true;
    }
  }
  resetMembers(room, joined);
  if (room.name === session.current) {
    if (reloaded) {
      renderRoom(room, session.nickname);
    } else {
      renderMembers(room, session.nickname); // recovered messages were appended above
    }
    fillMembers();
  }
  for (const event of held) {
    applyRoomEvent(room, event);
  }
  return { recovered, reloaded };
}

/** Applies events held for a room whose join or resume did not complete. */
function releaseHeld(room) {
  const held = room.pending ?? [];
  room.pending = null;
  for (const event of held) {
    applyRoomEvent(room, event);
  }
}

function dropRoom(name) {
  const room = rooms.get(name);
  if (!room) {
    return;
  }
  for (const timer of room.typing.values()) {
    clearTimeout(timer);
  }
  rooms.delete(name);
  session.lastTypingSent.delete(name);
  if (session.current === name) {
    switchToAnother();
  } else {
    renderSidebar();
  }
}

// ---- typing -------------------------------------------------------------------------------------------------------

function onTyping({ room: name, nickname }) {
  const room = rooms.get(name);
  const who = String(nickname ?? "");
  if (!room || !who || who === session.nickname) {
    return;
  }
  clearTimeout(room.typing.get(who));
  room.typing.set(who, setTimeout(() => stopTyping(room, who), TYPING_SHOWN_MS));
  if (room.name === session.current) {
    renderTyping(room);
  }
}

function stopTyping(room, nickname) {
  if (!room.typing.has(nickname)) {
    return;
  }
  clearTimeout(room.typing.get(nickname));
  room.typing.delete(nickname);
  if (room.name === session.current) {
    renderTyping(room);
  }
}

function announceTyping() {
  const name = session.current;
  if (!name || !ready() || !ui.message.value.trim()) {
    return;
  }
  const now = Date.now();
  if (now - (session.lastTypingSent.get(name) ?? 0) < TYPING_SEND_INTERVAL_MS) {
    return;
  }
  session.lastTypingSent.set(name, now);
  connection.invoke("Typing", name).catch(() => {
    // typing is a hint: a lost one does not matter
  });
}

// ---- hub ----------------------------------------------------------------------------------------------------------

const signalR = globalThis.signalR;
if (!signalR) {
  status("disconnected");
  showError(ui.joinError, t("clientMissing"));
  throw new Error("signalR global is missing: /lib/signalr/signalr.min.js did not load");
}

const connection = new signalR.HubConnectionBuilder()
  .withUrl(HUB_URL)
  .withAutomaticReconnect(RECONNECT_DELAYS_MS)
  .configureLogging(signalR.LogLevel.Warning)
  .build();

// The seed's notice strings ("ana entrou no chat.") come for the default room only and repeat what `presence`
// says; the page builds its notices from `presence`, for every room, and ignores these.
connection.on("message", () => {});
connection.on("broadcast_message", (payload) => {
  if (payload && typeof payload.room === "string") {
    routeRoomEvent({ type: "broadcast", room: payload.room, payload });
  }
});
connection.on("presence", (payload) => {
  if (payload && typeof payload.room === "string") {
    routeRoomEvent({ type: "presence", room: payload.room, payload });
  }
});
connection.on("presence_batch", (payload) => {
  if (payload && typeof payload.room === "string") {
    routeRoomEvent({ type: "presence_batch", room: payload.room, payload });
  }
});
connection.on("typing", (payload) => {
  if (payload && typeof payload.room === "string") {
    onTyping(payload);
  }
});

connection.onreconnecting(() => {
  session.connected = false;
  clearTimeout(statusTimer);
  status("reconnecting");
  if (session.token) {
    banner("warn", "banner.reconnecting");
  }
  updateControls();
});

connection.onreconnected(() => {
  session.connected = true;
  void resumeSession();
});

connection.onclose(() => {
  session.connected = false;
  if (session.signingOut) {
    return;
  }
  status("disconnected");
  if (session.token) {
    banner("error", "banner.disconnected", {}, { reconnect: true });
  } else {
    showError(ui.joinError, t("banner.disconnected"));
  }
  updateControls();
});

/** Starts the connection, retrying a few times; leaves the Reconnect button when it gives up. */
async function start() {
  status("connecting");
  for (const wait of START_RETRY_DELAYS_MS) {
    await delay(wait);
    try {
      if (connection.state === signalR.HubConnectionState.Disconnected) {
        await connection.start();
      } else if (!isConnected()) {
        continue; // SignalR is reconnecting by itself: wait for it
      }
      session.connected = true;
      status("connected");
      if (!session.token) {
        showError(ui.joinError, "");
      }
      updateControls();
      return true;
    } catch {
      // try again after the next delay
    }
  }
  status("disconnected");
  if (session.token) {
    banner("error", "banner.disconnected", {}, { reconnect: true });
  } else {
    showError(ui.joinError, t("banner.disconnected"));
  }
  updateControls();
  return false;
}

let starting = null;

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

function isConnected() {
  return connection.state === signalR.HubConnectionState.Connected;
}

/** After a reconnect: takes the session back, or registers again once it expired. */
async function resumeSession() {
  if (!session.token) {
    status("connected");
    updateControls();
    return;
  }

  session.phase = "resuming";
  status("reconnecting", "status.catchingUp");
  banner("info", "banner.catchingUp");
  updateControls();
  for (const room of rooms.values()) {
    room.pending ??= [];
  }
  beginJoin();
  try {
    for (let attempt = 1; ; attempt++) {
      const positions = [...rooms.values()].map((r) => ({ room: r.name, epoch: r.epoch, lastSeq: r.lastSeq }));
      let result;
      try {
        result = await connection.invoke("Resume", session.token, positions);
      } catch (error) {
        if (!isConnected()) {
          return; // dropped again: the next reconnect resumes
        }
        const text = hubError(error);
        if (text === UNAVAILABLE && attempt < RESUME_ATTEMPTS) {
          await delay(RESUME_DELAY_MS);
          continue;
        }
        // Expired (or refused for another reason): the session is gone, start a new one under the same name.
        await registerAgain(text === SESSION_EXPIRED ? "" : describeError(error));
        return;
      }

      session.token = result.resumeToken ?? session.token;
      session.nickname = result.nickname ?? session.nickname;
      let recovered = 0;
      let reloaded = 0;
      const returned = new Set();
      for (const joined of result.rooms ?? []) {
        const outcome = applyJoined(joined);
        recovered += outcome.recovered;
        reloaded += outcome.reloaded ? 1 : 0;
        returned.add(joined.room);
      }
      for (const name of [...rooms.keys()]) {
        if (!returned.has(name)) {
          dropRoom(name); // the server no longer has this session in it
        }
      }
      session.phase = "ready";
      showReconnected(reloaded ? "reloaded" : "recovered", recovered);
      afterOpen();
      return;
    }
  } finally {
    if (session.phase === "resuming" && isConnected()) {
      session.phase = "ready"; // whatever happened, do not leave the page stuck
    }
    for (const room of rooms.values()) {
      if (!isConnected()) {
        break; // keep holding: the next resume applies them
      }
      releaseHeld(room);
    }
    endJoin();
    updateControls();
  }
}

/** The session expired: registers the same nickname and rejoins the rooms the page was in, from where it was. */
async function registerAgain(reason) {
  const nickname = session.nickname;
  const previous = [...rooms.values()].map((r) => ({ room: r.name, epoch: r.epoch, lastSeq: r.lastSeq }));
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
      signOutLocally();
      showPrompt(nickname, t("error.expired", { reason: describeError(error) }));
      return;
    }
  }

  session.token = result.resumeToken;
  session.nickname = result.nickname;
  session.phase = "ready";
  const registeredIn = result.joined.room; // the default room, which Register joins
  if (!rooms.has(registeredIn)) {
    applyJoined(result.joined);
  }
  let recovered = 0;
  for (const position of previous) {
    try {
      const joined = await connection.invoke("RejoinRoom", position.room, position.epoch, position.lastSeq);
      recovered += applyJoined(joined).recovered;
    } catch (error) {
      if (!isConnected()) {
        return;
      }
      if (position.room === registeredIn) {
        applyJoined(result.joined); // in it anyway: show its latest messages instead
      } else {
        dropRoom(position.room);
        showError(ui.roomError, t("error.rejoin", { room: position.room, reason: describeError(error) }));
      }
    }
  }
  const room = currentRoom();
  if (room) {
    addRoomNotice(room, "notice.rejoined", {}, true);
  } else {
    switchToAnother();
  }
  if (reason) {
    showError(ui.roomError, reason);
  }
  showReconnected("rejoined", recovered);
  afterOpen();
}

/** Forgets the session, rooms and all, without touching the connection. */
function signOutLocally() {
  for (const name of [...rooms.keys()]) {
    const room = rooms.get(name);
    for (const timer of room.typing.values()) {
      clearTimeout(timer);
    }
  }
  rooms.clear();
  orphans.clear();
  serverRooms = [];
  session.token = null;
  session.nickname = null;
  session.current = null;
  session.phase = "prompt";
  session.lastTypingSent.clear();
  clearTimeout(statusTimer);
  clearBanner();
  showPanel(null);
  updateControls();
}

/** Once registered or resumed: refresh what the sidebar shows. */
function afterOpen() {
  renderRoom(currentRoom(), session.nickname);
  renderSidebar();
  fillIfShort();
  fillMembers();
  void refreshServerRooms();
}

async function refreshServerRooms() {
  if (!ready()) {
    return;
  }
  try {
    const listing = await connection.invoke("ListRooms");
    serverRooms = Array.isArray(listing) ? listing : [];
    renderServerRooms(serverRooms, new Set(rooms.keys()));
  } catch (error) {
    showError(ui.roomError, describeError(error));
  }
}

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
  if (!ready()) {
    return;
  }
  showError(ui.roomError, "");
  ui.roomJoinButton.disabled = true;
  beginJoin();
  try {
    const joined = await connection.invoke("JoinRoom", name);
    applyJoined(joined);
    switchTo(joined.room);
    ui.roomName.value = "";
    ui.message.focus();
    void refreshServerRooms();
  } catch (error) {
    showError(ui.roomError, describeError(error));
  } finally {
    endJoin();
    updateControls();
  }
}

async function leaveCurrentRoom() {
  const name = session.current;
  if (!name || !ready()) {
    return;
  }
  showError(ui.roomError, "");
  ui.leaveRoom.disabled = true;
  try {
    await connection.invoke("LeaveRoom", name);
    dropRoom(name);
    void refreshServerRooms();
  } catch (error) {
    showError(ui.roomError, describeError(error));
  } finally {
    updateControls();
  }
}

async function loadOlder() {
  const room = currentRoom();
  if (!room || room.loadingOlder || !ready()) {
    return;
  }
  const limit = Math.min(HISTORY_PAGE, MAX_ENTRIES - room.entries.length);
  if (limit < 1) {
    return;
  }
  room.loadingOlder = true;
  let loaded = false;
  renderLoadOlder(room);
  showError(ui.historyError, "");
  try {
    const page = await connection.invoke("History", room.name, oldestSeq(room), limit);
    if (rooms.get(room.name) !== room) {
      return; // left meanwhile
    }
    if (page.epoch !== room.epoch) {
      room.hasMore = false; // the room's history started over; what is shown is from before
      return;
    }
    const added = prependOlder(room, page.messages);
    room.hasMore = Boolean(page.hasMore) && added.length > 0;
    if (room.name === session.current) {
      prependEntries(added, session.nickname);
    }
    loaded = true;
  } catch (error) {
    if (room.name === session.current) {
      showError(ui.historyError, describeError(error));
    }
  } finally {
    room.loadingOlder = false;
    if (room.name === session.current) {
      renderLoadOlder(room);
      if (loaded) {
        fillIfShort();
      }
    }
  }
}

/** Scroll-back: reaching the top of the list loads the page of messages before it. */
function loadOlderAtTop() {
  const room = currentRoom();
  if (room?.hasMore && !room.loadingOlder && atTop() && room.entries.length < MAX_ENTRIES) {
    void loadOlder();
  }
}

/** A list too short to scroll cannot be scrolled back: load older messages until it fills the view. */
function fillIfShort() {
  requestAnimationFrame(() => {
    if (ui.log.scrollHeight <= ui.log.clientHeight) {
      loadOlderAtTop();
    }
  });
}

/**
 * Loads the room's next page of members, one call at a time; after an error it waits for the reader to ask again
 * (the More button), so a refused call is not repeated on every scroll.
 */
async function loadMoreMembers(room, retry = false) {
  if (!room.moreMembers || room.membersRequest || (room.membersError && !retry) || !ready()) {
    return;
  }
  const request = beginMemberPage(room);
  let loaded = false;
  if (room.name === session.current) {
    renderMembers(room, session.nickname);
  }
  try {
    const page = await connection.invoke("Members", room.name, room.membersAfter, MEMBER_PAGE);
    if (!request.stale && rooms.get(room.name) === room) {
      addMemberPage(room, page, request);
      loaded = true;
    }
  } catch (error) {
    if (!request.stale) {
      room.membersError = describeError(error);
    }
  } finally {
    if (room.membersRequest === request) {
      room.membersRequest = null;
    }
    if (room.name === session.current) {
      renderMembers(room, session.nickname);
      if (loaded) {
        fillMembers();
      }
    }
  }
}

/** Members load as the panel is scrolled near its end, or at once while it is too short to scroll. */
function fillMembers() {
  requestAnimationFrame(() => {
    const room = currentRoom();
    if (room?.moreMembers && membersNearEnd()) {
      void loadMoreMembers(room);
    }
  });
}

// ---- forms --------------------------------------------------------------------------------------------------------

ui.joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (session.phase !== "prompt") {
    return;
  }
  if (!session.connected && !(await ensureStarted())) {
    return; // start() says why
  }
  const nickname = ui.nickname.value.trim();
  if (!nickname) {
    showError(ui.joinError, t("enterNickname"));
    ui.nickname.focus();
    return;
  }

  session.phase = "registering";
  updateControls();
  showError(ui.joinError, "");
  beginJoin();
  try {
    const result = await connection.invoke("Register", nickname);
    session.nickname = result.nickname;
    session.token = result.resumeToken;
    session.phase = "ready";
    remember(NICKNAME_KEY, session.nickname);
    applyJoined(result.joined);
    showChat(session.nickname);
    switchTo(result.joined.room);
    afterOpen();
    ui.message.focus();
  } catch (error) {
    session.phase = "prompt";
    showError(ui.joinError, describeError(error));
    ui.nickname.focus();
  } finally {
    endJoin();
    updateControls();
  }
});

ui.composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  const room = session.current;
  if (!room || !ready()) {
    return;
  }
  const text = ui.message.value;
  if (!text.trim()) {
    return;
  }

  // Cleared at once, so the next message can be typed and sent; one connection's calls run in order on the server,
  // so messages sent in quick succession keep their order.
  ui.message.value = "";
  session.lastTypingSent.delete(room); // the next keystroke announces typing again
  showError(ui.sendError, "");
  try {
    await connection.invoke("SendToRoom", room, text);
  } catch (error) {
    showError(ui.sendError, describeError(error));
    if (!ui.message.value && session.current === room) {
      ui.message.value = text; // refused: back in the box, to edit and send again
    }
  }
});

ui.message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.message.addEventListener("input", announceTyping);

ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void joinRoom(ui.roomName.value);
});

ui.roomList.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-room]");
  if (button) {
    switchTo(button.dataset.room);
    ui.message.focus();
  }
});

ui.log.addEventListener("scroll", () => {
  onLogScrolled();
  loadOlderAtTop();
}, { passive: true });

ui.membersPanel.addEventListener("scroll", fillMembers, { passive: true });
ui.moreMembers.addEventListener("click", () => {
  const room = currentRoom();
  if (room) {
    void loadMoreMembers(room, true);
  }
});

ui.jump.addEventListener("click", () => {
  scrollToBottom();
  ui.message.focus();
});

// ---- narrow screens: rooms and members as panels over the room ------------------------------------------------

function togglePanel(name, toggle) {
  const opening = openPanel() !== name;
  showPanel(opening ? name : null);
  if (!opening) {
    toggle.focus();
  } else if (name === "members") {
    fillMembers();
  }
}

ui.showRooms.addEventListener("click", () => togglePanel("rooms", ui.showRooms));
ui.showMembers.addEventListener("click", () => togglePanel("members", ui.showMembers));
for (const close of document.querySelectorAll("[data-close-panel]")) {
  close.addEventListener("click", () => {
    const toggle = openPanel() === "members" ? ui.showMembers : ui.showRooms;
    showPanel(null);
    toggle.focus();
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && openPanel()) {
    const toggle = openPanel() === "members" ? ui.showMembers : ui.showRooms;
    showPanel(null);
    toggle.focus();
  }
});

// ---- language -------------------------------------------------------------------------------------------------

/** Draws every word again in the current language: the fixed ones, then rooms, messages, notices and state. */
function redrawInLanguage() {
  translatePage();
  ui.language.value = language();
  setStatus(statusShown.state, statusShown.key, statusShown.params);
  if (bannerShown) {
    showBanner(bannerShown.tone, bannerShown.key, bannerShown.params, bannerShown.options);
  }
  if (session.token) {
    const scrolled = ui.log.scrollTop;
    renderRoom(currentRoom(), session.nickname);
    ui.log.scrollTop = scrolled;
    renderSidebar();
  }
}

ui.language.addEventListener("change", () => {
  setLanguage(ui.language.value, true);
  redrawInLanguage();
});

// The skip link leads to whichever box the page is waiting for: the message box, or the nickname before joining.
document.querySelector(".skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  (ui.chat.hidden ? ui.nickname : ui.message).focus();
});

ui.bannerDismiss.addEventListener("click", () => {
  clearBanner();
  ui.message.focus();
});

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage can be disabled; the nickname is then not filled in next time
  }
}

function recall(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

ui.serverRooms.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-room]");
  if (button) {
    void joinRoom(button.dataset.room);
  }
});

ui.leaveRoom.addEventListener("click", () => void leaveCurrentRoom());
ui.refreshRooms.addEventListener("click", () => void refreshServerRooms());
ui.loadOlder.addEventListener("click", () => void loadOlder());

ui.reconnect.addEventListener("click", async () => {
  ui.reconnect.disabled = true;
  try {
    if (await ensureStarted()) {
      await resumeSession();
    }
  } finally {
    ui.reconnect.disabled = false;
  }
});

// Closing the connection on purpose is a clean leave: the server announces it right away.
ui.signOut.addEventListener("click", async () => {
  const nickname = session.nickname;
  session.signingOut = true;
  try {
    await connection.stop();
  } finally {
    session.signingOut = false;
  }
  signOutLocally();
  showPrompt(nickname);
  await ensureStarted();
});

ui.nickname.value = recall(NICKNAME_KEY) ?? "";
updateControls();
ui.nickname.focus();
ui.nickname.select();
void ensureStarted();
