// Drawing the page. User-supplied text reaches the DOM only through textContent and text nodes (links included:
// see text.js); no markup is ever built from strings.

import { MAX_ENTRIES, mentionsMe, typingText } from "./rooms.js";
import { dateFormats, formatNumber, language, serverText, t, translateDocument } from "./i18n.js";
import { messageNodes } from "./text.js";

const $ = (id) => document.getElementById(id);

export const ui = {
  who: $("who"),
  status: $("status"),
  statusText: $("status-text"),
  language: $("language"),
  signOut: $("sign-out"),
  join: $("join"),
  joinForm: $("join-form"),
  nickname: $("nickname"),
  joinButton: $("join-button"),
  joinError: $("join-error"),
  chat: $("chat"),
  sidebar: $("sidebar"),
  roomList: $("room-list"),
  roomForm: $("room-form"),
  roomName: $("room-name"),
  roomJoinButton: $("room-join-button"),
  leaveRoom: $("leave-room"),
  notifyMentions: $("notify-mentions"),
  roomError: $("room-error"),
  refreshRooms: $("refresh-rooms"),
  serverRooms: $("server-rooms"),
  showRooms: $("show-rooms"),
  showMembers: $("show-members"),
  totalUnread: $("total-unread"),
  memberCount: $("member-count"),
  roomTitle: $("room-title"),
  banner: $("banner"),
  bannerText: $("banner-text"),
  bannerDismiss: $("banner-dismiss"),
  reconnect: $("reconnect"),
  log: $("log"),
  loadOlder: $("load-older"),
  beginning: $("beginning"),
  historyError: $("history-error"),
  messages: $("messages"),
  outbox: $("outbox"),
  jump: $("jump"),
  typing: $("typing"),
  composer: $("composer"),
  message: $("message"),
  sendButton: $("send-button"),
  sendError: $("send-error"),
  announcer: $("announcer"),
  membersPanel: $("members-panel"),
  members: $("members"),
  membersTotal: $("members-total"),
  moreMembers: $("more-members"),
  membersError: $("members-error"),
  deviceToggle: $("device-toggle"),
  device: $("device"),
  deviceLink: $("device-link"),
  deviceCopy: $("device-copy"),
};

export function showError(element, text) {
  element.textContent = text ?? "";
  element.hidden = !text;
}

/** Every fixed word of the page in the current language; the caller redraws the rest. */
export function translatePage() {
  translateDocument();
  document.title = t("pageTitle");
}

// ---- connection state ---------------------------------------------------------------------------------------------

/** state: connecting | reconnecting | connected | disconnected; key/params: the label, default per state. */
export function setStatus(state, key, params = {}) {
  ui.status.dataset.state = state;
  ui.statusText.textContent = t(key ?? `status.${state}`, params);
}

/** The line above the messages that explains the connection: tone is info | warn | ok | error. */
export function showBanner(tone, key, params = {}, { reconnect = false } = {}) {
  ui.banner.dataset.tone = tone;
  ui.bannerText.textContent = t(key, params);
  ui.reconnect.hidden = !reconnect;
  ui.bannerDismiss.hidden = tone !== "ok";
  ui.banner.hidden = false;
}

export function hideBanner() {
  ui.banner.hidden = true;
}

// ---- screens ------------------------------------------------------------------------------------------------------

export function showPrompt(nickname, errorText) {
  ui.who.hidden = true;
  ui.signOut.hidden = true;
  ui.chat.hidden = true;
  ui.join.hidden = false;
  if (nickname) {
    ui.nickname.value = nickname;
  }
  showError(ui.joinError, errorText);
  document.title = t("pageTitle");
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

/** On narrow screens the rooms and members are panels over the room; name: "rooms" | "members" | null. */
export function showPanel(name) {
  const open = { rooms: ui.sidebar, members: ui.membersPanel }[name] ?? null;
  ui.chat.dataset.panel = name ?? "";
  ui.showRooms.setAttribute("aria-expanded", String(name === "rooms"));
  ui.showMembers.setAttribute("aria-expanded", String(name === "members"));
  if (open) {
    (open.querySelector("[aria-current='true']") ?? open.querySelector("button:not([hidden]), input"))?.focus();
  }
}

export function openPanel() {
  return ui.chat.dataset.panel || null;
}

/** Whether the rooms and members are panels (narrow screen) rather than columns. */
export function panelsCollapse() {
  return getComputedStyle(ui.showRooms).display !== "none";
}

// ---- sidebar ------------------------------------------------------------------------------------------------------

function roomButton(name, label, extra) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "room-button";
  button.dataset.room = name;
  const text = document.createElement("span");
  text.className = "room-name";
  text.textContent = label;
  button.append(text, ...extra);
  const item = document.createElement("li");
  item.append(button);
  return { item, button };
}

/**
 * One of the user's rooms in a sidebar list, named `label`, with its unread and mention badges, pressed when it is
 * `current`; directs.js lists direct conversations with it too.
 */
export function roomItem(room, label, current) {
  const extra = [];
  if (room.unread > 0) {
    extra.push(...badge("badge", upTo99(room.unread), t("unread", { n: room.unread })));
  }
  if (room.mentioned > 0) {
    extra.push(...badge("mention-badge", `@${upTo99(room.mentioned)}`, t("mentions", { n: room.mentioned })));
  }
  const { item, button } = roomButton(room.name, label, extra);
  if (room.name === current) {
    button.setAttribute("aria-current", "true");
  }
  return item;
}

/** A count shown on screen, and said in words to screen readers. */
function badge(className, shown, said) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = shown;
  element.setAttribute("aria-hidden", "true");
  const words = document.createElement("span");
  words.className = "visually-hidden";
  words.textContent = `, ${said}`;
  return [element, words];
}

const upTo99 = (n) => (n > 99 ? "99+" : String(n));

export function renderRoomList(rooms, current) {
  let total = 0;
  let mentioned = 0;
  const items = [...rooms.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((room) => {
      total += room.unread;
      mentioned += room.mentioned;
      return roomItem(room, `#${room.name}`, current);
    });
  ui.roomList.replaceChildren(...items);
  ui.leaveRoom.hidden = !current;
  ui.leaveRoom.textContent = current ? t("leaveRoomNamed", { room: current }) : t("leaveRoom");
  ui.totalUnread.hidden = total === 0;
  ui.totalUnread.textContent = upTo99(total);
  ui.totalUnread.setAttribute("aria-label", t("unread", { n: total }));
  const counts = [total, mentioned && `@${mentioned}`].filter(Boolean).join(" · ");
  document.title = total > 0 ? `(${counts}) ${t("pageTitle")}` : t("pageTitle");
}

export function renderServerRooms(listing, joined) {
  if (!listing.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = t("noServerRooms");
    ui.serverRooms.replaceChildren(empty);
    return;
  }
  const items = [...listing]
    .sort((a, b) => String(a.room).localeCompare(String(b.room)))
    .map(({ room, members }) => {
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = t("members", { n: Number(members) || 0 });
      const { item, button } = roomButton(String(room), `#${room}`, [count]);
      button.title = joined.has(room) ? t("youAreIn") : t("joinThis");
      if (joined.has(room)) {
        button.classList.add("joined");
      }
      return item;
    });
  ui.serverRooms.replaceChildren(...items);
}

/** One of eight colours per nickname, the same on every screen, chosen by classes (no inline styles). */
function hueOf(nickname) {
  let hash = 0;
  for (const ch of nickname.toLowerCase()) {
    hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  }
  return `hue-${hash % 8}`;
}

function avatar(nickname) {
  const element = document.createElement("span");
  element.className = `avatar ${hueOf(nickname)}`;
  element.setAttribute("aria-hidden", "true");
  element.textContent = ([...nickname.trim()][0] ?? "?").toUpperCase();
  return element;
}

/** The members known so far, in the order rooms.js keeps, under the room's total. */
export function renderMembers(room, me) {
  const names = room ? [...room.joinedSince, ...room.members] : [];
  const total = room ? `(${formatNumber(room.memberCount)})` : "";
  ui.memberCount.textContent = total;
  ui.membersTotal.textContent = total;
  ui.members.replaceChildren(
    ...names.map((nickname) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "member-name";
      name.textContent = nickname;
      item.append(avatar(nickname), name);
      if (nickname === me) {
        item.classList.add("own");
        const you = document.createElement("span");
        you.className = "you";
        you.textContent = ` ${t("you")}`;
        item.append(you);
      }
      return item;
    }),
  );
  // Not disabled while loading: that would drop the focus of a keyboard user who pressed it.
  ui.moreMembers.hidden = !room?.moreMembers;
  ui.moreMembers.textContent = room?.membersRequest ? t("loading") : t("moreMembers");
  showError(ui.membersError, room?.membersError);
}

/** Whether the member panel is shown and scrolled to within a few rows of its end (or too short to scroll). */
export function membersNearEnd() {
  const panel = ui.membersPanel;
  return panel.getClientRects().length > 0 && panel.scrollHeight - panel.scrollTop - panel.clientHeight < 160;
}

// ---- message list -------------------------------------------------------------------------------------------------

const GROUP_GAP_MS = 5 * 60 * 1000; // messages from one sender closer than this share one header

function sentDate(entry) {
  const sent = entry.sentAt ? new Date(entry.sentAt) : null;
  return sent && !Number.isNaN(sent.getTime()) ? sent : null;
}

// What the reader is doing on one message (mode: "edit", "delete" to confirm, "react" to pick an emoji), and the last
// refusal of a change, shown on its message. Held here by entry, so that a redraw of the message (someone else's
// change, a language switch) keeps them; an entry replaced by a history reload lets them go.
export const acting = { entry: null, mode: "", draft: "", failed: null, error: "" };

/** The emoji a reaction may use (Grains.Interfaces/Rules/ChatRules.cs). */
const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

function element(tag, className, text) {
  const made = document.createElement(tag);
  made.className = className;
  made.textContent = text ?? "";
  return made;
}

/** A button of a message: data-action says what it does (changes.js), and finds it again after a redraw. */
function control(action, key, className = "link", emoji = "") {
  const button = element("button", className, key && t(key));
  button.type = "button";
  button.dataset.action = action;
  if (emoji) {
    button.dataset.emoji = emoji;
  }
  return button;
}

/** An emoji to toggle, pressed when the reader is among who reacted; a reaction's chip has its count and who. */
function chip(action, emoji, by, me) {
  const button = control(action, "", "chip", emoji);
  button.textContent = emoji;
  button.setAttribute("aria-pressed", String(by.includes(me)));
  if (action === "react") {
    button.textContent += ` ${by.length}`;
    button.title = new Intl.ListFormat(language()).format(by);
    button.setAttribute("aria-label", t("msg.reaction", { emoji, n: by.length, names: button.title }));
  }
  return button;
}

/** Under a message: its reactions, then the tools (react, and on the reader's own, edit and delete). */
function changeParts(entry, me) {
  const parts = [];
  const here = acting.entry === entry;
  if (here && acting.mode === "delete") {
    const ask = element("p", "confirm", t("msg.confirmDelete"));
    ask.setAttribute("role", "group");
    ask.setAttribute("aria-label", t("msg.confirmDelete"));
    ask.append(" ", control("confirm", "msg.delete"), control("cancel", "msg.cancel"));
    parts.push(ask);
  }
  if (acting.failed === entry) {
    parts.push(element("p", "error", acting.error));
    parts.at(-1).setAttribute("role", "alert");
  }
  if (entry.reactions.length) {
    const row = element("div", "reactions");
    row.append(...entry.reactions.map((r) => chip("react", r.emoji, r.by, me)));
    parts.push(row);
  }
  const tools = element("div", "tools");
  const picker = control("picker", "", "link");
  picker.textContent = "🙂+";
  picker.title = t("msg.react");
  picker.setAttribute("aria-label", t("msg.react"));
  picker.setAttribute("aria-expanded", String(here && acting.mode === "react"));
  tools.append(picker);
  if (here && acting.mode === "react") {
    const pick = element("span", "picker");
    pick.setAttribute("role", "group");
    pick.setAttribute("aria-label", t("msg.react"));
    const by = (emoji) => entry.reactions.find((r) => r.emoji === emoji)?.by ?? [];
    pick.append(...REACTIONS.map((emoji) => chip("pick", emoji, by(emoji), me)));
    tools.append(pick);
  }
  if (me && entry.nickname === me) {
    tools.append(control("edit", "msg.edit"), control("delete", "msg.delete"));
  }
  return [...parts, tools];
}

/** The message's text as a field to change it, in place of the text. */
function editor() {
  const form = element("form", "edit");
  const field = element("textarea", "");
  field.dataset.action = "text";
  field.value = acting.draft;
  field.rows = 2;
  field.maxLength = 2000;
  field.setAttribute("aria-label", t("msg.editLabel"));
  const save = control("save", "msg.save", "small");
  save.type = "submit";
  form.append(field, save, control("cancel", "msg.cancel", "small secondary"));
  return form;
}

function entryElement(entry, me) {
  const item = document.createElement("li");
  if (entry.kind === "notice") {
    item.className = entry.local ? "notice notice-local" : "notice";
    item.textContent = t(entry.key, entry.params);
    return item;
  }

  item.className = "message";
  if (me && entry.nickname === me) {
    item.classList.add("own");
  }
  item.dataset.id = entry.id;
  item.dataset.seq = String(entry.seq);
  item.dataset.nickname = entry.nickname;

  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const author = document.createElement("span");
  author.className = `nickname ${hueOf(entry.nickname)}`;
  author.textContent = entry.nickname;

  const body = document.createElement("div");
  body.className = "body";
  const text = document.createElement("p");
  text.className = "text";
  if (entry.deleted) {
    item.classList.add("deleted"); // a tombstone: its place in the conversation, nothing else
    text.textContent = t("deleted");
  } else {
    text.append(...messageNodes(entry.text, entry.mentions, me));
  }
  body.append(acting.entry === entry && acting.mode === "edit" && !entry.deleted ? editor() : text);
  if (entry.editedAt && !entry.deleted) {
    body.append(element("span", "edited", t("edited")));
  }
  if (mentionsMe(entry, me) && entry.nickname !== me) {
    item.classList.add("mentions-me");
    const said = document.createElement("span");
    said.className = "visually-hidden";
    said.textContent = `, ${t("mentionsYou")}`;
    body.prepend(said);
  }

  const sent = sentDate(entry);
  if (sent) {
    const formats = dateFormats();
    const time = document.createElement("time");
    time.dateTime = sent.toISOString();
    time.title = formats.full.format(sent);
    time.textContent = (sent.toDateString() === new Date().toDateString() ? formats.time : formats.dayTime).format(sent);
    item.dataset.sent = String(sent.getTime());
    body.append(time);
  }

  bubble.append(author, body);
  if (entry.seq > 0 && !entry.deleted) {
    bubble.append(...changeParts(entry, me)); // not on a message still being sent, nor on a tombstone
  }
  item.append(avatar(entry.nickname), bubble);
  return item;
}

/** Draws shown messages again where they are, after a change; the focus stays on the same control if it still is. */
export function redrawEntries(entries, me) {
  for (const entry of entries) {
    const old = ui.messages.querySelector(`li.message[data-seq="${entry.seq}"]`);
    if (!old) {
      continue;
    }
    const had = old.contains(document.activeElement) ? document.activeElement.dataset : null;
    const fresh = entryElement(entry, me);
    old.replaceWith(fresh);
    group(fresh);
    if (had?.action) {
      fresh.querySelector(`[data-action="${had.action}"]${had.emoji ? `[data-emoji="${had.emoji}"]` : ""}`)?.focus();
    }
  }
}

/** Marks a message that follows one of the same sender, a few minutes apart at most, as part of its group. */
function group(element) {
  if (!element?.classList.contains("message")) {
    return;
  }
  const previous = element.previousElementSibling;
  const continues = Boolean(previous?.classList.contains("message"))
    && previous.dataset.nickname === element.dataset.nickname
    && Math.abs(Number(element.dataset.sent ?? 0) - Number(previous.dataset.sent ?? 0)) < GROUP_GAP_MS;
  element.classList.toggle("cont", continues);
}

export function isNearBottom() {
  const log = ui.log;
  return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
}

export function scrollToBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
  ui.jump.hidden = true;
}

/** Hides the "new messages" button once the reader scrolls down to them. */
export function onLogScrolled() {
  if (isNearBottom()) {
    ui.jump.hidden = true;
  }
}

let pendingOf = () => [];

/** Where renderRoom finds a room's messages not acknowledged yet (outbox.js). */
export function showPendingFrom(source) {
  pendingOf = source;
}

/**
 * The shown room's messages not acknowledged yet, below the others, each saying where it is; a refused one says why
 * and offers to send it again or discard it.
 */
export function renderOutbox(entries, me) {
  const stick = isNearBottom();
  ui.outbox.replaceChildren(...entries.map((entry) => {
    const item = entryElement({ kind: "message", id: entry.id, seq: 0, nickname: me, text: entry.text }, me);
    item.classList.add("pending", entry.state);
    const status = document.createElement("p");
    status.className = "delivery";
    status.textContent = entry.state === "failed"
      ? t("outbox.failed", { reason: serverText(entry.error) })
      : t(`outbox.${entry.state}`);
    item.querySelector(".body").append(status);
    if (entry.state === "failed") {
      for (const action of ["retry", "discard"]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.dataset[action] = entry.id;
        button.textContent = t(`outbox.${action}`);
        status.append(" ", button);
      }
    }
    return item;
  }));
  if (stick) {
    scrollToBottom();
  }
}

/** Draws the current room from scratch: title, messages, loader, typing, members. */
export function renderRoom(room, me) {
  ui.roomTitle.textContent = room ? `#${room.name}` : t("noRoom");
  ui.message.placeholder = room ? t("messagePlaceholder", { room: room.name }) : t("messagePlaceholderNoRoom");
  const elements = room ? room.entries.map((e) => entryElement(e, me)) : [];
  const first = room?.entries.findIndex((e) => e.kind === "message" && e.seq > room.lineAfter && e.nickname !== me);
  if (first >= 0) {
    const line = document.createElement("li");
    line.className = "notice notice-local";
    line.id = "unread-line";
    line.textContent = t("unreadLine");
    elements.splice(first, 0, line);
  }
  ui.messages.replaceChildren(...elements);
  elements.forEach(group);
  if (!room) {
    const empty = document.createElement("li");
    empty.className = "notice notice-local";
    empty.textContent = t("noRoomHint");
    ui.messages.append(empty);
  }
  showError(ui.historyError, "");
  renderLoadOlder(room);
  renderTyping(room);
  renderMembers(room, me);
  renderOutbox(room ? pendingOf(room.name) : [], me);
  scrollToBottom();
}

/** Adds entries at the bottom of the shown room, after dropping `dropped` from the top (the cap). */
export function appendEntries(entries, me, dropped = 0) {
  const stick = isNearBottom();
  for (let i = 0; i < dropped && ui.messages.firstElementChild; i++) {
    if (ui.messages.firstElementChild.id === "unread-line") {
      i--; // not an entry
    }
    ui.messages.firstElementChild.remove();
  }
  group(ui.messages.firstElementChild);
  const elements = entries.map((e) => entryElement(e, me));
  ui.messages.append(...elements);
  elements.forEach(group);
  if (stick || entries.some((e) => e.kind === "message" && e.nickname === me)) {
    scrollToBottom();
  } else if (entries.some((e) => e.kind === "message")) {
    ui.jump.hidden = false;
  }
}

/** Adds older entries at the top of the shown room, keeping what the reader is looking at in place. */
export function prependEntries(entries, me) {
  const fromBottom = ui.log.scrollHeight - ui.log.scrollTop;
  const first = ui.messages.firstElementChild;
  const elements = entries.map((e) => entryElement(e, me));
  ui.messages.prepend(...elements);
  elements.forEach(group);
  group(first);
  ui.log.scrollTop = ui.log.scrollHeight - fromBottom;
}

export function renderLoadOlder(room) {
  const button = ui.loadOlder;
  button.hidden = !room || !room.hasMore;
  ui.beginning.hidden = !room || room.hasMore;
  if (!room) {
    return;
  }
  ui.beginning.textContent = t("beginning", { room: room.name });
  const full = room.entries.length >= MAX_ENTRIES;
  button.disabled = room.loadingOlder || full;
  button.textContent = room.loadingOlder ? t("loading") : full ? t("keptOnly", { n: MAX_ENTRIES }) : t("loadOlder");
}

/** Whether the reader is at the top of the list, where older messages would appear. */
export function atTop() {
  return ui.log.scrollTop < 80;
}

export function renderTyping(room) {
  ui.typing.textContent = room ? typingText([...room.typing.keys()]) : "";
}

/** Tells screen readers something new, without moving focus; keeps only the last few lines. */
export function announce(text) {
  const line = document.createElement("p");
  line.textContent = text;
  ui.announcer.append(line);
  while (ui.announcer.childElementCount > 3) {
    ui.announcer.firstElementChild.remove();
  }
}
