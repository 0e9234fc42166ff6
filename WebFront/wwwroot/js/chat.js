// OrleansChat page, its one entry module: it puts the other modules together and wires the page's forms and buttons.
//
//   session.js     the connection to /hubs/chat and the session on it: register, resume, reconnect, hub calls
//   roomfeed.js    the rooms the session is in, and the server's events and join results applied to them
//   roomscreen.js  which room is shown, the sidebar, and drawing what the rooms report
//   scrollback.js  older messages and further members, loaded as the reader scrolls
//   outbox.js      messages written but not acknowledged yet: kept across reloads, sent once the session is ready
//   changes.js     editing, deleting and reacting to a message: its tools, and the calls they make
//   status.js      the header's connection status and the banner
//   directs.js     direct conversations in the sidebar, shown by their people, and the form that starts one
//   view.js        the drawing itself, over rooms.js (one room's model), i18n.js, errors.js and text.js
//
// session.js and roomfeed.js never touch the DOM: they report through the hooks given here, and this module has
// the page show it (status.js: the header's status and the banner).

import { setUpChanges } from "./changes.js";
import { createDirects } from "./directs.js";
import { describeError } from "./errors.js";
import { initialLanguage, language, serverText, setLanguage, t } from "./i18n.js";
import { createOutbox } from "./outbox.js";
import { createFeed } from "./roomfeed.js";
import { createRoomScreen } from "./roomscreen.js";
import { createSession } from "./session.js";
import { clearTab, deviceLink, loadTab, onSignedOutElsewhere, saveTab } from "./tabsession.js";
import { banner, clearBanner, forgetReconnected, redrawStatus, showReconnected, status } from "./status.js";
import {
  announce, onLogScrolled, openPanel, renderOutbox, renderRoom, scrollToBottom, showChat, showError, showPanel,
  showPendingFrom, showPrompt, translatePage, ui,
} from "./view.js";

const NICKNAME_KEY = "chat.nickname"; // the last nickname used, to fill in the prompt next time

setLanguage(initialLanguage());
translatePage();
ui.language.value = language();

// ---- the session, as the page shows it ----------------------------------------------------------------------------

const signalR = globalThis.signalR;
if (!signalR) {
  status("disconnected");
  showError(ui.joinError, t("clientMissing"));
  throw new Error("signalR global is missing: /lib/signalr/signalr.min.js did not load");
}

// The screen needs the session, which needs the rooms, which report to the screen: the rooms reach it through these
// arrows, which run only once the connection delivers events.
const feed = createFeed({
  messagesAdded(room, added, dropped, live) {
    screen.messagesAdded(room, added, dropped, live);
    outbox.delivered(room.name, new Set(added.map((e) => e.id)));
  },
  noticeAdded: (room, entry, dropped) => screen.noticeAdded(room, entry, dropped),
  messagesUpdated: (room, entries) => screen.messagesUpdated(room, entries),
  membersChanged: (room) => screen.membersChanged(room),
  roomJoined(room, reloaded) {
    screen.roomJoined(room, reloaded);
    outbox.delivered(room.name, room.ids, true);
    void outbox.flush();
  },
  typingChanged: (room) => screen.typingChanged(room),
  readChanged: (room) => screen.readChanged(room),
});

const session = createSession(signalR, feed, {
  connecting: () => status("connecting"),
  connected() {
    status("connected");
    if (!session.token) {
      showError(ui.joinError, "");
    }
    screen.updateControls();
  },
  offline() {
    status("disconnected");
    if (session.token) {
      banner("error", "banner.disconnected", {}, { reconnect: true });
    } else {
      showError(ui.joinError, t("banner.disconnected"));
    }
    screen.updateControls();
  },
  reconnecting() {
    forgetReconnected();
    status("reconnecting");
    if (session.token) {
      banner("warn", "banner.reconnecting");
    }
    screen.updateControls();
  },
  reconnected() {
    status("connected");
    screen.updateControls();
  },
  catchingUp() {
    status("reconnecting", "status.catchingUp");
    banner("info", "banner.catchingUp");
    screen.updateControls();
  },
  resumed(how, recovered) {
    if (how === "restored") {
      status("connected");
      clearBanner();
      showChat(session.nickname);
      screen.switchTo(restoredRoom ?? "geral");
      if (!screen.current) {
        screen.switchToAnother();
      }
    } else {
      showReconnected(how, recovered, () => session.connected);
    }
    outbox.open(session.nickname);
    screen.afterOpen();
    keepTab();
    void outbox.flush();
  },
  rejoined(recovered, reason) {
    showChat(session.nickname);
    const room = screen.currentRoom();
    if (room) {
      feed.notice(room, "notice.rejoined", {}, true);
    } else {
      screen.switchToAnother();
    }
    if (reason) {
      showError(ui.roomError, reason);
    }
    showReconnected("rejoined", recovered, () => session.connected);
    outbox.open(session.nickname);
    screen.afterOpen();
    keepTab();
    void outbox.flush();
  },
  rejoinFailed(room, error) {
    showError(ui.roomError, t("error.rejoin", { room, reason: describeError(error) }));
  },
  expired(nickname, error) {
    clearTab();
    forgetShown();
    // A device link's session: no nickname to take again.
    showPrompt(nickname, nickname ? t("error.expired", { reason: describeError(error) }) : describeError(error));
  },
  refused(nickname, error) {
    status("connected");
    forgetShown(); // the tab's record stays: a reload tries again
    showPrompt(nickname, describeError(error));
  },
  roomAdded: (name) => screen.roomAdded(name),
  roomDropped: (name) => screen.roomDropped(name),
  changed: () => screen.updateControls(),
});
const screen = createRoomScreen(session, feed.rooms);
const outbox = createOutbox(session, feed.rooms, (room, refused) => {
  if (room === screen.current) {
    renderOutbox(outbox.of(room), session.nickname);
  }
  if (refused) {
    announce(t("outbox.failed", { reason: serverText(refused.error) }));
  }
});
showPendingFrom(outbox.of);
setUpChanges(session, feed, screen.currentRoom);
createDirects(session, feed.rooms, async (room) => {
  await screen.joinRoom(room); // shows it, or enters it again if the user left it
  ui.message.focus();
});

/** The session is gone (signed out, or expired for good): the screen forgets its rooms too. */
function forgetShown() {
  screen.forget();
  outbox.close();
  forgetReconnected();
  clearBanner();
  showPanel(null);
  showDeviceLink(false);
  screen.updateControls();
}

// ---- forms --------------------------------------------------------------------------------------------------------

ui.joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (session.phase !== "prompt") {
    return;
  }
  if (!session.connected && !(await session.ensureStarted())) {
    return; // the session says why
  }
  const nickname = ui.nickname.value.trim();
  if (!nickname) {
    showError(ui.joinError, t("enterNickname"));
    ui.nickname.focus();
    return;
  }

  showError(ui.joinError, "");
  try {
    const room = await session.register(nickname);
    remember(NICKNAME_KEY, session.nickname);
    showChat(session.nickname);
    outbox.open(session.nickname); // what this tab had not sent under this nickname, before a reload
    screen.switchTo(room);
    screen.afterOpen();
    keepTab();
    void outbox.flush();
    ui.message.focus();
  } catch (error) {
    showError(ui.joinError, describeError(error));
    ui.nickname.focus();
  } finally {
    screen.updateControls();
  }
});

ui.composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  const room = screen.current;
  if (!room || !session.nickname) {
    return;
  }
  const text = ui.message.value;
  if (!text.trim()) {
    return;
  }

  // Cleared at once, so the next message can be typed: the outbox shows it until it is acknowledged, sends in order,
  // and keeps it while offline. A refusal is shown on the message, with what can be done about it.
  ui.message.value = "";
  showError(ui.sendError, "");
  outbox.add(room, text);
  scrollToBottom();
  if (!session.ready()) {
    announce(t("outbox.waiting"));
  }
});

ui.outbox.addEventListener("click", (event) => {
  const { retry, discard } = event.target.closest("button")?.dataset ?? {};
  if (retry) {
    outbox.retry(retry);
  } else if (discard) {
    outbox.discard(discard);
    ui.message.focus();
  }
});

ui.message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.message.addEventListener("input", () => {
  if (screen.current && ui.message.value.trim()) {
    session.typing(screen.current);
  }
});

ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void screen.joinRoom(ui.roomName.value);
});

ui.roomList.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-room]");
  if (button) {
    screen.switchTo(button.dataset.room);
    ui.message.focus();
  }
});

ui.log.addEventListener("scroll", () => {
  onLogScrolled();
  screen.loadOlderAtTop();
  screen.markSeen();
}, { passive: true });
document.addEventListener("visibilitychange", () => screen.markSeen());

ui.membersPanel.addEventListener("scroll", screen.fillMembers, { passive: true });
ui.moreMembers.addEventListener("click", () => {
  const room = screen.currentRoom();
  if (room) {
    void screen.loadMoreMembers(room, true);
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
    screen.fillMembers();
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
  redrawStatus();
  if (session.token) {
    const scrolled = ui.log.scrollTop;
    renderRoom(screen.currentRoom(), session.nickname);
    ui.log.scrollTop = scrolled;
    screen.renderSidebar();
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
    void screen.joinRoom(button.dataset.room);
  }
});

ui.leaveRoom.addEventListener("click", () => void screen.leaveCurrentRoom());
ui.refreshRooms.addEventListener("click", () => void screen.refreshServerRooms());
ui.loadOlder.addEventListener("click", () => void screen.loadOlder());

ui.reconnect.addEventListener("click", async () => {
  ui.reconnect.disabled = true;
  try {
    if (await session.ensureStarted()) {
      await session.resume();
    }
  } finally {
    ui.reconnect.disabled = false;
  }
});

// ---- another device: the token is its only proof that the session is its user's -----------------------------

function showDeviceLink(open) {
  ui.device.hidden = !open;
  ui.deviceToggle.setAttribute("aria-expanded", String(open));
  ui.deviceLink.value = open && session.token ? deviceLink(session.token) : "";
  ui.deviceCopy.textContent = t("device.copy");
}

ui.deviceToggle.addEventListener("click", () => showDeviceLink(ui.device.hidden));

ui.deviceCopy.addEventListener("click", async () => {
  ui.deviceLink.select();
  try {
    await navigator.clipboard.writeText(ui.deviceLink.value);
    ui.deviceCopy.textContent = t("device.copied");
    announce(t("device.copied"));
  } catch {
    announce(t("device.copyFailed")); // plain http, or not allowed
  }
});

/** Leaves the chat from this browser: every tab of it goes (each stops its connection), other devices stay. */
async function signOut() {
  const nickname = session.nickname;
  clearTab();
  await session.signOut();
  forgetShown();
  showPrompt(nickname);
  await session.ensureStarted();
}

ui.signOut.addEventListener("click", signOut);
onSignedOutElsewhere(() => {
  if (session.token) {
    void signOut();
  }
});

/** Saves what a reload of this tab needs to come back as it is: the session and the room on screen. */
function keepTab() {
  if (session.token) {
    saveTab(session.nickname, session.token, screen.current);
    if (!ui.device.hidden) {
      showDeviceLink(true); // a new session, a new token
    }
  }
}

// The room on screen changes often; a reload needs only the last one.
addEventListener("pagehide", keepTab);
// A device link pasted into a page that is already open: load it as a page opened with it would.
addEventListener("hashchange", () => {
  if (location.hash.startsWith("#device=")) {
    location.reload();
  }
});

// The session this page joins (a reload's, a new tab's, a device link's), and the room a reloaded tab showed.
const saved = loadTab();
const restoredRoom = saved?.room ?? null;
ui.nickname.value = recall(NICKNAME_KEY) ?? "";
screen.updateControls();
if (saved) {
  // Held for the reload grace after a page closes, and shared by the user's tabs: take it rather than register.
  void session.restore(saved.nickname, saved.token);
} else {
  ui.nickname.focus();
  ui.nickname.select();
  void session.ensureStarted();
}
