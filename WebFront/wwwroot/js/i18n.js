// The page's words in English and Brazilian Portuguese. The language comes from the visitor's choice (kept in
// localStorage) or else from the browser's languages; the server's own notices ("ana entrou no chat.") are never
// shown: the page words its notices itself from `presence` events, in the language chosen here.

const STORAGE_KEY = "chat.language";

/** Plural forms take an object keyed by Intl.PluralRules categories; {n} is the count. */
const STRINGS = {
  en: {
    pageTitle: "OrleansChat",
    skipToComposer: "Skip to the message box",
    language: "Language",
    signOut: "Sign out",
    reconnect: "Reconnect",
    "status.connecting": "Connecting…",
    "status.connected": "Connected",
    "status.reconnecting": "Reconnecting…",
    "status.catchingUp": "Catching up…",
    "status.disconnected": "Offline",
    "status.recovered": { one: "Connected · {n} missed message recovered", other: "Connected · {n} missed messages recovered" },
    "status.reloaded": "Connected · history reloaded",
    "banner.reconnecting": "Connection lost. Reconnecting… Nothing is lost: messages sent meanwhile will appear when you are back.",
    "banner.catchingUp": "Back online. Fetching what you missed…",
    "banner.recovered": { zero: "Back online. You missed no messages.", one: "Back online. {n} missed message recovered.", other: "Back online. {n} missed messages recovered." },
    "banner.reloaded": "Back online. You were away too long to catch up message by message, so the latest messages were reloaded.",
    "banner.rejoined": { zero: "Back online. Your session had expired, so you joined again. You missed no messages.", one: "Back online. Your session had expired, so you joined again and {n} missed message was recovered.", other: "Back online. Your session had expired, so you joined again and {n} missed messages were recovered." },
    "banner.disconnected": "Could not reach the server. Check your connection, then reconnect.",
    dismiss: "Dismiss",
    joinTitle: "Join the chat",
    joinIntro: "Pick a nickname to start. No account, no password.",
    nickname: "Nickname",
    join: "Join",
    enterNickname: "Enter a nickname.",
    clientMissing: "Could not load the chat client (/lib/signalr/signalr.min.js). Reload the page.",
    yourRooms: "Your rooms",
    roomToJoin: "Join or create a room",
    roomPlaceholder: "Room name",
    leaveRoomNamed: "Leave #{room}",
    leaveRoom: "Leave room",
    serverRooms: "Rooms on the server",
    refresh: "Refresh",
    noServerRooms: "No rooms with members.",
    members: { one: "{n} member", other: "{n} members" },
    membersTitle: "Members",
    moreMembers: "Show more members",
    you: "(you)",
    youAreIn: "You are in this room",
    joinThis: "Join this room",
    unread: { one: "{n} unread message", other: "{n} unread messages" },
    mentions: { one: "{n} mention of you", other: "{n} mentions of you" },
    mentionsYou: "mentions you",
    "notify.toggle": "Notify me when mentioned",
    "notify.denied": "Notifications blocked by the browser",
    "notify.unsupported": "This browser cannot notify",
    "notify.title": "{nickname} mentioned you in #{room}",
    roomsButton: "Rooms",
    membersButton: "Members",
    close: "Close",
    noRoom: "No room",
    noRoomHint: "You are in no room: join one from the list.",
    messagesLabel: "Messages",
    loadOlder: "Load older messages",
    loading: "Loading…",
    keptOnly: "Only the latest {n} entries are kept here",
    beginning: "This is the beginning of #{room}.",
    newMessages: "New messages ↓",
    unreadLine: "New messages",
    message: "Message",
    messagePlaceholder: "Message #{room}",
    messagePlaceholderNoRoom: "Write a message…",
    send: "Send",
    composerHint: "Enter sends · Shift+Enter adds a new line",
    "notice.joined": "{nickname} joined.",
    "notice.left": "{nickname} left.",
    "notice.batchJoined": { one: "{n} person joined", other: "{n} people joined" },
    "notice.batchLeft": { one: "{n} person left", other: "{n} people left" },
    "notice.batchLeftToo": "{n} left",
    "notice.reloaded": "History reloaded.",
    "notice.historyReset": "The server's history of this room went back to an earlier copy: some messages may be missing from it.",
    "notice.rejoined": "The connection was away too long: you joined again.",
    "typing.1": "{a} is typing…",
    "typing.2": "{a} and {b} are typing…",
    "typing.3": "{a}, {b} and {c} are typing…",
    "typing.more": "{a}, {b} and {n} others are typing…",
    "announce.message": "{nickname}: {text}",
    edited: "(edited)",
    deleted: "This message was deleted.",
    "msg.edit": "Edit",
    "msg.editLabel": "Edit message",
    "msg.save": "Save",
    "msg.cancel": "Cancel",
    "msg.delete": "Delete",
    "msg.confirmDelete": "Delete this message?",
    "msg.react": "Add reaction",
    "msg.reaction": { one: "{emoji} {n} reaction: {names}", other: "{emoji} {n} reactions: {names}" },
    "error.rejoin": "Could not rejoin #{room}: {reason}",
    "error.expired": "Your session expired and the nickname could not be taken again: {reason}",
    "error.connection": "Connection lost. Try again once connected.",
    "error.generic": "Something went wrong. Try again.",
    "outbox.label": "Not sent yet",
    "outbox.waiting": "Not sent yet: it goes when you are back online.",
    "outbox.sending": "Sending…",
    "outbox.sent": "Sent",
    "outbox.failed": "Not sent: {reason}",
    "outbox.retry": "Send again",
    "outbox.discard": "Discard",
    "device.toggle": "Use on another device",
    "device.note": "Open it on your other device to chat there as you. Keep it secret: anyone who has it can act as you until your session ends.",
    "device.label": "Link for another device",
    "device.copy": "Copy link",
    "device.copied": "Copied",
    "device.copyFailed": "Could not copy: copy the link yourself.",
    // The server's error texts (docs/protocol.md §3), in this language.
    "server.Nickname already in use.": "That nickname is taken. Choose another one.",
    "server.The room moved on too far to tell whether this message was already sent: check the room, then send it with a new id.": "The room moved on too far to tell whether this message was already sent: check the room before sending it again.",
    // Direct messages (directs.js).
    "dm.title": "Direct messages",
    "dm.label": "Write privately to (people separated by commas)",
    "dm.start": "Write",
    "dm.write": "Message {names}",
    "dm.leave": "Leave this conversation",
  },
  "pt-BR": {
    pageTitle: "OrleansChat",
    skipToComposer: "Pular para a caixa de mensagem",
    language: "Idioma",
    signOut: "Sair",
    reconnect: "Reconectar",
    "status.connecting": "Conectando…",
    "status.connected": "Conectado",
    "status.reconnecting": "Reconectando…",
    "status.catchingUp": "Atualizando…",
    "status.disconnected": "Sem conexão",
    "status.recovered": { one: "Conectado · {n} mensagem perdida recuperada", other: "Conectado · {n} mensagens perdidas recuperadas" },
    "status.reloaded": "Conectado · histórico recarregado",
    "banner.reconnecting": "Conexão perdida. Reconectando… Nada se perde: as mensagens enviadas enquanto isso aparecem quando você voltar.",
    "banner.catchingUp": "Conexão de volta. Buscando o que você perdeu…",
    "banner.recovered": { zero: "Conexão de volta. Você não perdeu nenhuma mensagem.", one: "Conexão de volta. {n} mensagem perdida foi recuperada.", other: "Conexão de volta. {n} mensagens perdidas foram recuperadas." },
    "banner.reloaded": "Conexão de volta. Você ficou fora tempo demais para recuperar mensagem por mensagem, então as mensagens mais recentes foram recarregadas.",
    "banner.rejoined": { zero: "Conexão de volta. Sua sessão tinha expirado e você entrou de novo. Você não perdeu nenhuma mensagem.", one: "Conexão de volta. Sua sessão tinha expirado e você entrou de novo; {n} mensagem perdida foi recuperada.", other: "Conexão de volta. Sua sessão tinha expirado e você entrou de novo; {n} mensagens perdidas foram recuperadas." },
    "banner.disconnected": "Não foi possível falar com o servidor. Verifique sua conexão e reconecte.",
    dismiss: "Fechar aviso",
    joinTitle: "Entre no chat",
    joinIntro: "Escolha um apelido para começar. Sem conta, sem senha.",
    nickname: "Apelido",
    join: "Entrar",
    enterNickname: "Digite um apelido.",
    clientMissing: "Não foi possível carregar o cliente do chat (/lib/signalr/signalr.min.js). Recarregue a página.",
    yourRooms: "Suas salas",
    roomToJoin: "Entrar ou criar uma sala",
    roomPlaceholder: "Nome da sala",
    leaveRoomNamed: "Sair de #{room}",
    leaveRoom: "Sair da sala",
    serverRooms: "Salas no servidor",
    refresh: "Atualizar",
    noServerRooms: "Nenhuma sala com membros.",
    members: { one: "{n} membro", other: "{n} membros" },
    membersTitle: "Membros",
    moreMembers: "Mostrar mais membros",
    you: "(você)",
    youAreIn: "Você está nesta sala",
    joinThis: "Entrar nesta sala",
    unread: { one: "{n} mensagem não lida", other: "{n} mensagens não lidas" },
    mentions: { one: "{n} menção a você", other: "{n} menções a você" },
    mentionsYou: "menciona você",
    "notify.toggle": "Avisar quando me mencionarem",
    "notify.denied": "Notificações bloqueadas pelo navegador",
    "notify.unsupported": "Este navegador não notifica",
    "notify.title": "{nickname} mencionou você em #{room}",
    roomsButton: "Salas",
    membersButton: "Membros",
    close: "Fechar",
    noRoom: "Nenhuma sala",
    noRoomHint: "Você não está em nenhuma sala: entre em uma da lista.",
    messagesLabel: "Mensagens",
    loadOlder: "Carregar mensagens anteriores",
    loading: "Carregando…",
    keptOnly: "Só as {n} entradas mais recentes ficam aqui",
    beginning: "Este é o começo de #{room}.",
    newMessages: "Novas mensagens ↓",
    unreadLine: "Novas mensagens",
    message: "Mensagem",
    messagePlaceholder: "Mensagem para #{room}",
    messagePlaceholderNoRoom: "Escreva uma mensagem…",
    send: "Enviar",
    composerHint: "Enter envia · Shift+Enter quebra a linha",
    "notice.joined": "{nickname} entrou.",
    "notice.left": "{nickname} saiu.",
    "notice.batchJoined": { one: "{n} pessoa entrou", other: "{n} pessoas entraram" },
    "notice.batchLeft": { one: "{n} pessoa saiu", other: "{n} pessoas saíram" },
    "notice.batchLeftToo": { one: "{n} saiu", other: "{n} saíram" },
    "notice.reloaded": "Histórico recarregado.",
    "notice.historyReset": "O histórico desta sala no servidor voltou a uma cópia anterior: algumas mensagens podem faltar nele.",
    "notice.rejoined": "A conexão ficou fora tempo demais: você entrou de novo.",
    "typing.1": "{a} está digitando…",
    "typing.2": "{a} e {b} estão digitando…",
    "typing.3": "{a}, {b} e {c} estão digitando…",
    "typing.more": "{a}, {b} e mais {n} estão digitando…",
    "announce.message": "{nickname}: {text}",
    edited: "(editada)",
    deleted: "Esta mensagem foi apagada.",
    "msg.edit": "Editar",
    "msg.editLabel": "Editar mensagem",
    "msg.save": "Salvar",
    "msg.cancel": "Cancelar",
    "msg.delete": "Apagar",
    "msg.confirmDelete": "Apagar esta mensagem?",
    "msg.react": "Reagir",
    "msg.reaction": { one: "{emoji} {n} reação: {names}", other: "{emoji} {n} reações: {names}" },
    "error.rejoin": "Não foi possível voltar a #{room}: {reason}",
    "error.expired": "Sua sessão expirou e o apelido não pôde ser retomado: {reason}",
    "error.connection": "Conexão perdida. Tente de novo quando estiver conectado.",
    "error.generic": "Algo deu errado. Tente de novo.",
    "outbox.label": "Ainda não enviadas",
    "outbox.waiting": "Ainda não enviada: vai quando você voltar a ficar online.",
    "outbox.sending": "Enviando…",
    "outbox.sent": "Enviada",
    "outbox.failed": "Não enviada: {reason}",
    "outbox.retry": "Enviar de novo",
    "outbox.discard": "Descartar",
    "device.toggle": "Usar em outro dispositivo",
    "device.note": "Abra-o no seu outro dispositivo para conversar lá como você. Guarde-o em segredo: quem o tiver pode agir como você até sua sessão terminar.",
    "device.label": "Link para outro dispositivo",
    "device.copy": "Copiar link",
    "device.copied": "Copiado",
    "device.copyFailed": "Não foi possível copiar: copie o link você mesmo.",
    "server.Nickname already in use.": "Esse apelido já está em uso. Escolha outro.",
    "server.Invalid nickname: use 1 to 32 characters, without control or invisible characters.": "Apelido inválido: use de 1 a 32 caracteres, sem caracteres de controle ou invisíveis.",
    "server.The chat is temporarily unavailable, try again.": "O chat está temporariamente indisponível, tente de novo.",
    "server.Too many requests: slow down.": "Muitas requisições: vá com calma.",
    "server.This connection is already registered.": "Esta conexão já está registrada.",
    "server.Register a nickname before sending messages.": "Registre um apelido antes de enviar mensagens.",
    "server.Invalid message: use 1 to 2000 characters, without control characters other than newline.": "Mensagem inválida: use de 1 a 2000 caracteres, sem caracteres de controle além da quebra de linha.",
    "server.Invalid room name: use 1 to 32 characters, without control or invisible characters.": "Nome de sala inválido: use de 1 a 32 caracteres, sem caracteres de controle ou invisíveis.",
    "server.Join the room first.": "Entre na sala primeiro.",
    "server.The room is full.": "A sala está cheia.",
    "server.You are in too many rooms: leave one first.": "Você está em salas demais: saia de uma primeiro.",
    "server.You are banned from this room.": "Você foi banido desta sala.",
    "server.The room moved on too far to tell whether this message was already sent: check the room, then send it with a new id.": "A sala andou demais para saber se esta mensagem já foi enviada: confira a sala antes de enviar de novo.",
    "server.The session expired or the resume token is invalid: register again.": "A sessão expirou ou o link é inválido: entre de novo.",
    "server.You are connected from too many tabs or devices: close one, or wait a moment for one that dropped to be let go.": "Você está conectado de abas ou dispositivos demais: feche um, ou espere um pouco até que um que caiu seja liberado.",
    "server.Invalid members request: after must be a nickname and limit 1 to 200.": "Pedido de membros inválido: after deve ser um apelido e limit de 1 a 200.",
    "server.No such message in this room: it may have been deleted, be too old, or never have existed.": "Essa mensagem não está na sala: pode ter sido apagada, ser antiga demais ou nunca ter existido.",
    "server.You can only edit or delete your own messages.": "Você só pode editar ou apagar suas próprias mensagens.",
    "server.Invalid reaction: use one of 👍 ❤️ 😂 😮 😢 🎉.": "Reação inválida: use uma de 👍 ❤️ 😂 😮 😢 🎉.",
    "server.Too many reactions: at most 3 of yours on a message, and 100 on one message in all.": "Reações demais: no máximo 3 suas numa mensagem, e 100 numa mensagem ao todo.",
    // Mensagens diretas (directs.js).
    "dm.title": "Mensagens diretas",
    "dm.label": "Escrever em particular para (pessoas separadas por vírgulas)",
    "dm.start": "Escrever",
    "dm.write": "Mensagem para {names}",
    "dm.leave": "Sair desta conversa",
    "server.No one is using that nickname.": "Ninguém está usando esse apelido.",
    "server.Invalid conversation: name at least one other user by nickname, each once.": "Conversa inválida: indique pelo menos outro usuário pelo apelido, cada um uma vez.",
    "server.You cannot open a conversation with yourself.": "Você não pode abrir uma conversa consigo mesmo.",
    "server.Too many people for one conversation: name fewer.": "Gente demais para uma conversa: indique menos pessoas.",
    "server.No such conversation.": "Essa conversa não existe.",
  },
};

function supported(tag) {
  const lower = String(tag ?? "").toLowerCase();
  if (lower.startsWith("pt")) {
    return "pt-BR";
  }
  if (lower.startsWith("en")) {
    return "en";
  }
  return null;
}

function stored() {
  try {
    return supported(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null; // storage can be disabled
  }
}

/** The saved choice, else the first of the browser's languages we speak, else English. */
export function initialLanguage() {
  const fromBrowser = (navigator.languages?.length ? navigator.languages : [navigator.language])
    .map(supported)
    .find(Boolean);
  return stored() ?? fromBrowser ?? "en";
}

let current = "en";
let plurals = new Intl.PluralRules(current);
let numbers = new Intl.NumberFormat(current);

export function language() {
  return current;
}

export function setLanguage(code, persist = false) {
  current = supported(code) ?? "en";
  plurals = new Intl.PluralRules(current);
  numbers = new Intl.NumberFormat(current);
  if (persist) {
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // the choice then lasts for this page only
    }
  }
}

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A count as the current language writes it: 2,000 or 2.000. */
export function formatNumber(n) {
  return numbers.format(Number(n) || 0);
}

/** Texts made of parts that each take their own plural form, so no single entry can hold them. */
const COMPOSED = {
  // "12 people joined, 3 left.", "1 pessoa entrou, 3 saíram."
  "notice.batch": ({ joined = 0, left = 0 }) => `${[
    joined ? t("notice.batchJoined", { n: joined }) : "",
    left ? t(joined ? "notice.batchLeftToo" : "notice.batchLeft", { n: left }) : "",
  ].filter(Boolean).join(", ")}.`,
};

/**
 * The text for a key in the current language; `params.n` picks the plural form where the entry has several, and is
 * written as the language writes numbers.
 */
export function t(key, params = {}) {
  if (COMPOSED[key]) {
    return COMPOSED[key](params);
  }
  const entry = STRINGS[current][key] ?? STRINGS.en[key];
  if (entry === undefined) {
    return key;
  }
  if (typeof entry === "string") {
    return fill(entry, params);
  }
  const n = Number(params.n ?? 0);
  const form = (n === 0 && entry.zero) ? "zero" : plurals.select(n);
  return fill(entry[form] ?? entry.other, { ...params, n: formatNumber(n) });
}

/** A server error text (docs/protocol.md §3) in the current language, or as the server wrote it. */
export function serverText(text) {
  const entry = STRINGS[current][`server.${text}`];
  return typeof entry === "string" ? entry : text;
}

/** Puts the current language's words into every element marked with data-i18n (text) or data-i18n-* (attributes). */
export function translateDocument(root = document) {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const attribute of ["placeholder", "aria-label", "title"]) {
    const data = `data-i18n-${attribute}`;
    for (const element of root.querySelectorAll(`[${data}]`)) {
      element.setAttribute(attribute, t(element.getAttribute(data)));
    }
  }
}

let formats = null;

/** Time formats for the current language, made once per language. */
export function dateFormats() {
  if (formats?.language !== current) {
    formats = {
      language: current,
      time: new Intl.DateTimeFormat(current, { hour: "numeric", minute: "2-digit" }),
      dayTime: new Intl.DateTimeFormat(current, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" }),
      full: new Intl.DateTimeFormat(current, { dateStyle: "full", timeStyle: "medium" }),
    };
  }
  return formats;
}
