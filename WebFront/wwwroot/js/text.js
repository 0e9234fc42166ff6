// Message text to DOM nodes. User text only ever becomes text nodes; the one exception is an http(s) URL, which
// becomes a link built with DOM APIs (never from markup), opening in a new tab without referrer or opener.

const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]+$/;

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

/** A message's text as nodes: text nodes, and links for http(s) URLs. */
export function messageNodes(text) {
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) {
      continue;
    }
    if (match.index > at) {
      nodes.push(document.createTextNode(text.slice(at, match.index)));
    }
    nodes.push(link(url, href));
    at = match.index + url.length;
  }
  if (at < text.length) {
    nodes.push(document.createTextNode(text.slice(at)));
  }
  return nodes;
}
