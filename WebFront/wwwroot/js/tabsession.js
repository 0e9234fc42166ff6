// What a tab needs to come back signed in after a reload: its nickname, its resume token and the room it showed.
// Kept in sessionStorage, so it belongs to this tab alone, survives its reloads and ends with it. The server keeps a
// page's session for a few seconds after the page closes (the reload grace), and the reloaded page resumes it.

const KEY = "chat.tab";

export function saveTab(nickname, token, room) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ nickname, token, room }));
  } catch {
    // storage can be disabled: a reload then asks for the nickname again
  }
}

/** The saved tab, or null when there is none (or it is not what this page wrote). */
export function loadTab() {
  try {
    const tab = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
    return tab && typeof tab.nickname === "string" && typeof tab.token === "string" ? tab : null;
  } catch {
    return null;
  }
}

export function clearTab() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing was saved then
  }
}
