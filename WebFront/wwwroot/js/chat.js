// OrleansChat page: one SignalR connection to /hubs/chat, a nickname prompt, then the room.
// User-supplied text reaches the DOM only through textContent / createTextNode.

const HUB_URL = "/hubs/chat";
const MAX_RENDERED = 500;           // oldest entries are dropped past this many
const NICKNAME_TAKEN = "Nickname already in use.";
const REREGISTER_ATTEMPTS = 3;      // after a reconnect the server may still hold our old connection's nickname
const REREGISTER_DELAY_MS = 1500;
const START_RETRY_DELAYS_MS = [0, 2000, 5000, 10000];

const $ = (id) => document.getElementById(id);
const ui = {
  who: $("who"),
  status: $("status"),
  statusText: $("status-text"),
  reconnect: $("reconnect"),
  join: $("join"),
  joinForm: $("join-form"),
  nickname: $("nickname"),
  joinButton: $("join-button"),
  joinError: $("join-error"),
  room: $("room"),
  messages: $("messages"),
  composer: $("composer"),
  message: $("message"),
  sendButton: $("send-button"),
  sendError: $("send-error"),
};

const session = {
  nickname: null,   // set once Register succeeds; re-registered after a reconnect
  room: null,
  connected: false,
  busy: false,      // a Register or Message call is in flight
};
const seenIds = new Set();

// ---- errors -------------------------------------------------------------------------------------------------------

const HUB_EXCEPTION = "HubException: ";

/** The server's own text for a HubException, or a plain sentence for anything else. */
function describeError(error) {
  const message = error instanceof Error ? error.message : String(error ?? "");
  const at = message.lastIndexOf(HUB_EXCEPTION);
  if (at >= 0) {
    return message.slice(at + HUB_EXCEPTION.length).trim();
  }
  if (/connection|closed|disconnected/i.test(message)) {
    return "Connection lost. Try again once connected.";
  }
  return "Something went wrong. Try again.";
}

function showError(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

// ---- connection state -------------------------------------------------------------------------------------------

const STATUS_TEXT = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  connected: "Connected",
  disconnected: "Disconnected",
};

function setStatus(state) {
  session.connected = state === "connected";
  ui.status.dataset.state = state === "reconnecting" ? "connecting" : state;
  ui.statusText.textContent = STATUS_TEXT[state];
  ui.reconnect.hidden = state !== "disconnected";
  updateControls();
}

function updateControls() {
  ui.joinButton.disabled = !session.connected || session.busy;
  ui.sendButton.disabled = !session.connected || session.busy;
}

// ---- views --------------------------------------------------------------------------------------------------------

function showPrompt(nickname, errorText) {
  session.nickname = null;
  session.room = null;
  ui.who.hidden = true;
  ui.room.hidden = true;
  ui.join.hidden = false;
  if (nickname) {
    ui.nickname.value = nickname;
  }
  showError(ui.joinError, errorText ?? "");
  ui.nickname.focus();
}

function showRoom({ nickname, room }) {
  session.nickname = nickname;
  session.room = room;
  ui.who.textContent = room ? `${nickname} · #${room}` : nickname;
  ui.who.hidden = false;
  ui.join.hidden = true;
  ui.room.hidden = false;
  showError(ui.joinError, "");
  showError(ui.sendError, "");
  ui.message.focus();
}

// ---- message list -----------------------------------------------------------------------------------------------

function isNearBottom() {
  const list = ui.messages;
  return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
}

function append(item) {
  const stick = isNearBottom();
  ui.messages.append(item);
  while (ui.messages.childElementCount > MAX_RENDERED) {
    const first = ui.messages.firstElementChild;
    if (first.dataset.id) {
      seenIds.delete(first.dataset.id);
    }
    first.remove();
  }
  if (stick) {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }
}

function appendNotice(text, kind = "server") {
  const item = document.createElement("li");
  item.className = `notice notice-${kind}`;
  item.textContent = text;
  append(item);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

function appendMessage({ msg, nickname, id, sentAt }) {
  if (id != null) {
    const key = String(id);
    if (seenIds.has(key)) {
      return; // delivered twice (e.g. around a reconnect): show it once
    }
    seenIds.add(key);
  }

  const item = document.createElement("li");
  item.className = "message";
  if (session.nickname && nickname === session.nickname) {
    item.classList.add("own");
  }
  if (id != null) {
    item.dataset.id = String(id);
  }

  const meta = document.createElement("div");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "nickname";
  author.textContent = String(nickname ?? "?");
  meta.append(author);

  const sent = sentAt ? new Date(sentAt) : null;
  if (sent && !Number.isNaN(sent.getTime())) {
    const time = document.createElement("time");
    time.dateTime = sent.toISOString();
    time.title = fullFormat.format(sent);
    time.textContent = timeFormat.format(sent);
    meta.append(" ", time);
  }

  const text = document.createElement("p");
  text.className = "text";
  text.textContent = String(msg ?? "");

  item.append(meta, text);
  append(item);
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
  .withAutomaticReconnect()
  .configureLogging(signalR.LogLevel.Warning)
  .build();

connection.on("message", (notice) => appendNotice(String(notice)));
connection.on("broadcast_message", (payload) => appendMessage(payload ?? {}));

connection.onreconnecting(() => {
  setStatus("reconnecting");
  if (session.nickname) {
    appendNotice("Connection lost, reconnecting…", "local");
  }
});

connection.onreconnected(() => void rejoin());

connection.onclose(() => {
  setStatus("disconnected");
  if (session.nickname) {
    appendNotice("Disconnected from the chat.", "local");
  }
});

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the connection, retrying a few times; leaves the Reconnect button when it gives up. */
async function start() {
  setStatus("connecting");
  for (const wait of START_RETRY_DELAYS_MS) {
    await delay(wait);
    try {
      await connection.start();
      setStatus("connected");
      return true;
    } catch {
      // try again after the next delay
    }
  }
  setStatus("disconnected");
  return false;
}

/** The server forgets a connection's nickname when it drops: register the same one on the new connection. */
async function rejoin() {
  setStatus("connected");
  const nickname = session.nickname;
  if (!nickname) {
    return;
  }
  appendNotice("Reconnected.", "local");
  session.busy = true;
  updateControls();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await connection.invoke("Register", nickname);
        showRoom(result);
        return;
      } catch (error) {
        if (connection.state !== signalR.HubConnectionState.Connected) {
          return; // dropped again: the next reconnect tries once more with the same nickname
        }
        const text = describeError(error);
        if (text === NICKNAME_TAKEN && attempt < REREGISTER_ATTEMPTS) {
          await delay(REREGISTER_DELAY_MS); // our old connection may not have been released yet
          continue;
        }
        showPrompt(nickname, text);
        return;
      }
    }
  } finally {
    session.busy = false;
    updateControls();
  }
}

// ---- forms --------------------------------------------------------------------------------------------------------

ui.joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (session.busy || !session.connected) {
    return;
  }
  const nickname = ui.nickname.value.trim();
  if (!nickname) {
    showError(ui.joinError, "Enter a nickname.");
    ui.nickname.focus();
    return;
  }

  session.busy = true;
  updateControls();
  showError(ui.joinError, "");
  try {
    const result = await connection.invoke("Register", nickname);
    showRoom(result);
  } catch (error) {
    showError(ui.joinError, describeError(error));
    ui.nickname.focus();
  } finally {
    session.busy = false;
    updateControls();
  }
});

ui.composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (session.busy || !session.connected) {
    return;
  }
  const text = ui.message.value;
  if (!text.trim()) {
    return;
  }

  session.busy = true;
  updateControls();
  showError(ui.sendError, "");
  try {
    await connection.invoke("Message", text);
    ui.message.value = ""; // only once accepted, so a refused message can be edited and sent again
  } catch (error) {
    showError(ui.sendError, describeError(error));
  } finally {
    session.busy = false;
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

ui.reconnect.addEventListener("click", async () => {
  if (await start()) {
    await rejoin();
  }
});

ui.nickname.focus();
void start();
