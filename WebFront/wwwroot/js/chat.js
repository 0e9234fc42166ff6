// OrleansChat page: one SignalR connection to /hubs/chat, a nickname prompt, then the rooms.
//
// Reconnects: SignalR's automatic reconnect brings the connection back after a drop; the page then calls Resume with
// its resume token and, per room, the epoch and last sequence number it saw. The server puts the new connection in
// the same rooms, without leave or join notices, and returns what was missed. If the grace period is over, the page
// registers the same nickname again and rejoins its rooms from where it was.

import { NICKNAME_TAKEN, SESSION_EXPIRED, UNAVAILABLE, describeError } from "./errors.js";
import {
  MAX_ENTRIES, acceptMessage, addNotice, createRoom, oldestSeq, prependOlder, resetMessages, trim,
} from "./rooms.js";
import {
  appendEntries, prependEntries, renderLoadOlder, renderMembers, renderRoom, renderRoomList, renderServerRooms,
  renderTyping, setStatus, showChat, showError, showPrompt, ui,
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
const RECOVERED_SHOWN_MS = 30000;   // how long the header says what a reconnect recovered

const session = {
  nickname: null,       // set once registered
  token: null,          // the resume token
  current: null,        // the room shown
  phase: "prompt",      // prompt | registering | ready | resuming
  connected: false,
  sending: false,
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

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Says in the header what a reconnect did, then goes back to a plain "Connected". */
function showReconnected(detail) {
  setStatus("connected", `Reconnected · ${detail}`);
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    if (session.connected) {
      setStatus("connected");
    }
  }, RECOVERED_SHOWN_MS);
}

function ready() {
  return session.connected && session.phase === "ready";
}

function updateControls() {
  ui.joinButton.disabled = !session.connected || session.phase !== "prompt";
  ui.sendButton.disabled = !ready() || session.sending || !session.current;
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
  session.current = rooms.has(name) ? name : null;
  const room = currentRoom();
  if (room) {
    room.unread = 0;
  }
  renderRoom(room, session.nickname);
  renderSidebar();
  showError(ui.sendError, "");
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
    addMessages(room, [event.payload]);
  } else if (event.type === "presence") {
    applyPresence(room, event.payload);
  }
}

/** Appends messages not seen yet; returns how many were new. */
function addMessages(room, broadcasts) {
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
  } else {
    const fromOthers = added.filter((e) => e.nickname !== session.nickname).length;
    if (fromOthers) {
      room.unread += fromOthers;
      renderRoomList(rooms, session.current);
    }
  }
  return added.length;
}

function addRoomNotice(room, text, local = false) {
  const entry = addNotice(room, text, local);
  const dropped = trim(room);
  if (room.name === session.current) {
    appendEntries([entry], session.nickname, dropped);
  }
}

function applyPresence(room, { nickname, kind }) {
  const name = String(nickname ?? "");
  if (kind === "joined") {
    room.members.add(name);
    addRoomNotice(room, `${name} joined.`);
  } else if (kind === "left") {
    room.members.delete(name);
    stopTyping(room, name);
    addRoomNotice(room, `${name} left.`);
  } else {
    return;
  }
  if (room.name === session.current) {
    renderMembers(room, session.nickname);
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
      addNotice(room, "History reloaded.", true);
      reloaded = true;
    }
  }
  room.members = new Set(joined.members ?? []);
  if (room.name === session.current) {
    if (reloaded) {
      renderRoom(room, session.nickname);
    } else {
      renderMembers(room, session.nickname); // recovered messages were appended above
    }
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
  setStatus("disconnected");
  ui.reconnect.hidden = true;
  showError(ui.joinError, "Could not load the chat client (/lib/signalr/signalr.min.js). Reload the page.");
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
connection.on("typing", (payload) => {
  if (payload && typeof payload.room === "string") {
    onTyping(payload);
  }
});

connection.onreconnecting(() => {
  session.connected = false;
  clearTimeout(statusTimer);
  setStatus("reconnecting");
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
  setStatus("disconnected", session.nickname ? "Disconnected: use Reconnect to continue" : "Disconnected");
  updateControls();
});

/** Starts the connection, retrying a few times; leaves the Reconnect button when it gives up. */
async function start() {
  setStatus("connecting");
  for (const wait of START_RETRY_DELAYS_MS) {
    await delay(wait);
    try {
      await connection.start();
      session.connected = true;
      setStatus("connected");
      updateControls();
      return true;
    } catch {
      // try again after the next delay
    }
  }
  setStatus("disconnected");
  updateControls();
  return false;
}

function isConnected() {
  return connection.state === signalR.HubConnectionState.Connected;
}

/** After a reconnect: takes the session back, or registers again once it expired. */
async function resumeSession() {
  if (!session.token) {
    setStatus("connected");
    updateControls();
    return;
  }

  session.phase = "resuming";
  setStatus("reconnecting", "Reconnected, catching up…");
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
        const text = describeError(error);
        if (text === UNAVAILABLE && attempt < RESUME_ATTEMPTS) {
          await delay(RESUME_DELAY_MS);
          continue;
        }
        // Expired (or refused for another reason): the session is gone, start a new one under the same name.
        await registerAgain(text === SESSION_EXPIRED ? "" : text);
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
      const detail = reloaded
        ? `history reloaded in ${reloaded} ${reloaded === 1 ? "room" : "rooms"}`
        : `recovered ${recovered} ${recovered === 1 ? "message" : "messages"}`;
      showReconnected(detail);
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
      const text = describeError(error);
      if (text === NICKNAME_TAKEN && attempt < REREGISTER_ATTEMPTS) {
        await delay(REREGISTER_DELAY_MS);
        continue;
      }
      signOutLocally();
      showPrompt(nickname, `Your session expired and the nickname could not be taken again: ${text}`);
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
        showError(ui.roomError, `Could not rejoin #${position.room}: ${describeError(error)}`);
      }
    }
  }
  const room = currentRoom();
  if (room) {
    addRoomNotice(room, reason || "The connection was away too long: you joined again.", true);
  } else {
    switchToAnother();
  }
  showReconnected(`joined again, recovered ${recovered} ${recovered === 1 ? "message" : "messages"}`);
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
  updateControls();
}

/** Once registered or resumed: refresh what the sidebar shows. */
function afterOpen() {
  renderRoom(currentRoom(), session.nickname);
  renderSidebar();
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
  } catch (error) {
    if (room.name === session.current) {
      showError(ui.historyError, describeError(error));
    }
  } finally {
    room.loadingOlder = false;
    if (room.name === session.current) {
      renderLoadOlder(room);
    }
  }
}

// ---- forms --------------------------------------------------------------------------------------------------------

ui.joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (session.phase !== "prompt" || !session.connected) {
    return;
  }
  const nickname = ui.nickname.value.trim();
  if (!nickname) {
    showError(ui.joinError, "Enter a nickname.");
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
  if (!room || session.sending || !ready()) {
    return;
  }
  const text = ui.message.value;
  if (!text.trim()) {
    return;
  }

  session.sending = true;
  updateControls();
  showError(ui.sendError, "");
  try {
    await connection.invoke("SendToRoom", room, text);
    ui.message.value = ""; // only once accepted, so a refused message can be edited and sent again
    session.lastTypingSent.delete(room); // the next keystroke announces typing again
  } catch (error) {
    showError(ui.sendError, describeError(error));
  } finally {
    session.sending = false;
    updateControls();
    ui.message.focus();
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
    if (await start()) {
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
  await start();
});

updateControls();
ui.nickname.focus();
void start();
