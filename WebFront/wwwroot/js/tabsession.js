// What a page needs to come back signed in: nickname, resume token, room shown. The tab's record (sessionStorage)
// survives its reloads; the browser's (localStorage) lets a new tab join the session the other tabs are in, and its
// removal by a tab that signs out signs the others out too.

const TAB = "chat.tab";
const BROWSER = "chat.session";

let token = null; // the session this tab is in, or started from

function read(storage, key) {
  try {
    const record = readValue(storage.getItem(key));
    return typeof record?.token === "string" ? record : null;
  } catch {
    return null; // storage disabled
  }
}

function write(storage, key, record) {
  try {
    storage.setItem(key, JSON.stringify(record));
  } catch {
    // storage can be disabled: the nickname is then asked again
  }
}

export function saveTab(nickname, session, room) {
  token = session;
  write(sessionStorage, TAB, { nickname, token, room });
  write(localStorage, BROWSER, { nickname, token });
}

/** What this page starts from: a device link's session, else the tab's, else the browser's; nickname may be null. */
export function loadTab() {
  const record = fromDeviceLink() ?? read(sessionStorage, TAB) ?? read(localStorage, BROWSER);
  token = record?.token;
  return record;
}

/** Forgets the tab's record, and the browser's if it is this tab's session (another tab may have started one). */
export function clearTab() {
  try {
    sessionStorage.removeItem(TAB);
    if (token && read(localStorage, BROWSER)?.token === token) {
      localStorage.removeItem(BROWSER);
    }
  } catch {
    // nothing was saved then
  }
}

/**
 * Calls back when another tab of this browser signs out of the session this tab is in (it removes the browser's
 * record): signing out is the user leaving from this browser, not from one tab. Other devices keep the session.
 */
export function onSignedOutElsewhere(handler) {
  addEventListener("storage", (event) => {
    if (event.key === BROWSER && event.newValue === null && token && readValue(event.oldValue)?.token === token) {
      handler();
    }
  });
}

function readValue(value) {
  try {
    return JSON.parse(value ?? "null");
  } catch {
    return null;
  }
}

/** Hands the session to another device: anyone who has the link can act as this user until the session ends. */
export function deviceLink(session) {
  return `${location.origin}/#device=${encodeURIComponent(session)}`;
}

/** A device link's session, kept for the browser; the secret link leaves the address bar and history. */
function fromDeviceLink() {
  const match = /^#device=([^&]+)$/.exec(location.hash);
  if (!match) {
    return null;
  }
  history.replaceState(null, "", location.pathname + location.search);
  try {
    const record = { nickname: null, token: decodeURIComponent(match[1]) };
    write(localStorage, BROWSER, record);
    return record;
  } catch {
    return null; // not a link this page made
  }
}
