// Message text to DOM nodes. User text only ever becomes text nodes; the exceptions are an http(s) URL, which
// becomes a link built with DOM APIs (never from markup), opening in a new tab without referrer or opener, and a
// mention, a span around its text node.

import { nicknameKey } from "./rooms.js";

const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]+$/;
// Read as the server reads them (docs/protocol.md §6), every @ tried even inside another's name: hence lookarounds.
const MENTION_CANDIDATE = /(?<=^|[\s(\[{"'«“])@(?=(\S+))/gu;
const MENTION_END = /[.,;:!?)\]}"'»”…]+$/u;

/** Cuts what is most likely sentence punctuation off a URL's end: "see https://x.org/a." or "(https://x.org)". */
function trimUrl(candidate) {
  let url = candidate.replace(TRAILING_PUNCTUATION, "");
  for (const [open, close] of [["(", ")"], ["[", "]"]]) {
    while (url.endsWith(close) && url.split(close).length > url.split(open).length) {
      url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, "");
    }
  }
  return url;
}

/** The absolute http(s) URL a candidate stands for, or null. */
function safeHref(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function link(text, href) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  anchor.rel = "noopener noreferrer nofollow";
  anchor.target = "_blank";
  return anchor;
}

/** Text with a span for each @name the server listed (`mentioned`: nickname keys); the user's own is `.me` too. */
function withMentions(text, mentioned, me) {
  const nodes = [];
  let at = 0;
  for (const match of mentioned.size ? text.matchAll(MENTION_CANDIDATE) : []) {
    const name = match[1].replace(MENTION_END, "");
    const key = nicknameKey(name);
    const start = match.index;
    if (start < at || !mentioned.has(key)) {
      continue;
    }
    if (start > at) {
      nodes.push(document.createTextNode(text.slice(at, start)));
    }
    const span = document.createElement("span");
    span.className = key === me ? "mention me" : "mention";
    span.textContent = `@${name}`;
    nodes.push(span);
    at = start + 1 + name.length;
  }
  if (at < text.length) {
    nodes.push(document.createTextNode(text.slice(at)));
  }
  return nodes;
}

/** A message's text as nodes: text nodes, links for http(s) URLs, and spans for the mentions listed. */
export function messageNodes(text, mentions = [], me = "") {
  const mentioned = new Set(mentions.map(nicknameKey));
  const myKey = me && nicknameKey(me);
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) {
      continue;
    }
    if (match.index > at) {
      nodes.push(...withMentions(text.slice(at, match.index), mentioned, myKey));
    }
    nodes.push(link(url, href));
    at = match.index + url.length;
  }
  if (at < text.length) {
    nodes.push(...withMentions(text.slice(at), mentioned, myKey));
  }
  return nodes;
}
