// What is not on screen yet loads as the reader scrolls: older messages at the top of the list, further pages of
// members at the end of the member panel. Each list makes one call at a time.

import { describeError } from "./errors.js";
import { MAX_ENTRIES, addMemberPage, beginMemberPage, oldestSeq, prependOlder } from "./rooms.js";
import { atTop, membersNearEnd, prependEntries, renderLoadOlder, renderMembers, showError, ui } from "./view.js";

const HISTORY_PAGE = 50;
const MEMBER_PAGE = 100;

/** session: session.js; rooms: the page's rooms by name; shown(): the name of the room on screen, or null. */
export function createScrollback(session, rooms, shown) {
  function shownRoom() {
    const name = shown();
    return name ? rooms.get(name) ?? null : null;
  }

  async function loadOlder() {
    const room = shownRoom();
    if (!room || room.loadingOlder || !session.ready()) {
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
      const page = await session.history(room.name, oldestSeq(room), limit);
      if (rooms.get(room.name) !== room) {
        return; // left meanwhile
      }
      if (page.epoch !== room.epoch) {
        room.hasMore = false; // the room's history started over; what is shown is from before
        return;
      }
      const added = prependOlder(room, page.messages);
      room.hasMore = Boolean(page.hasMore) && added.length > 0;
      if (room.name === shown()) {
        prependEntries(added, session.nickname);
      }
      loaded = true;
    } catch (error) {
      if (room.name === shown()) {
        showError(ui.historyError, describeError(error));
      }
    } finally {
      room.loadingOlder = false;
      if (room.name === shown()) {
        renderLoadOlder(room);
        if (loaded) {
          fillIfShort();
        }
      }
    }
  }

  /** Scroll-back: reaching the top of the list loads the page of messages before it. */
  function loadOlderAtTop() {
    const room = shownRoom();
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
    if (!room.moreMembers || room.membersRequest || (room.membersError && !retry) || !session.ready()) {
      return;
    }
    const request = beginMemberPage(room);
    let loaded = false;
    if (room.name === shown()) {
      renderMembers(room, session.nickname);
    }
    try {
      const page = await session.members(room.name, room.membersAfter, MEMBER_PAGE);
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
      if (room.name === shown()) {
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
      const room = shownRoom();
      if (room?.moreMembers && membersNearEnd()) {
        void loadMoreMembers(room);
      }
    });
  }

  return { loadOlder, loadOlderAtTop, fillIfShort, loadMoreMembers, fillMembers };
}
