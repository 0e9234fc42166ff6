// Error texts the page reacts to. They are the server's ChatErrors, part of the protocol (docs/protocol.md).

import { serverText, t } from "./i18n.js";

export const NICKNAME_TAKEN = "Nickname already in use.";
export const SESSION_EXPIRED = "The session expired or the resume token is invalid: register again.";
export const NOT_REGISTERED = "Register a nickname before sending messages.";
export const UNAVAILABLE = "The chat is temporarily unavailable, try again.";
export const TOO_MANY_CONNECTIONS =
  "You are connected from too many tabs or devices: close one, or wait a moment for one that dropped to be let go.";

const HUB_EXCEPTION = "HubException: ";

/** The server's own text for a HubException (as on the wire, in English), or null for any other failure. */
export function hubError(error) {
  const message = error instanceof Error ? error.message : String(error ?? "");
  const at = message.lastIndexOf(HUB_EXCEPTION);
  return at < 0 ? null : message.slice(at + HUB_EXCEPTION.length).trim();
}

/** A sentence for the user, in the page's language. */
export function describeError(error) {
  const server = hubError(error);
  if (server) {
    return serverText(server);
  }
  const message = error instanceof Error ? error.message : String(error ?? "");
  return /connection|closed|disconnected/i.test(message) ? t("error.connection") : t("error.generic");
}
