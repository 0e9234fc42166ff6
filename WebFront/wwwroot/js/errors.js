// Error texts the page reacts to. They are the server's ChatErrors, part of the protocol (docs/protocol.md).

export const NICKNAME_TAKEN = "Nickname already in use.";
export const SESSION_EXPIRED = "The session expired or the resume token is invalid: register again.";
export const UNAVAILABLE = "The chat is temporarily unavailable, try again.";

const HUB_EXCEPTION = "HubException: ";

/** The server's own text for a HubException, or a plain sentence for anything else. */
export function describeError(error) {
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
