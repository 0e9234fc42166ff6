// Drives the original Flask-SocketIO chat with the load tool's scenarios (room, burst, storm, idle) through
// socket.io-client over WebSockets, and prints the same JSON result line as bench/LoadTool. Message text is
// b|sender|counter|timestamp, the timestamp from this process's monotonic clock, so latency needs no clock sync.
//
//   node driver.mjs --url http://127.0.0.1:PORT --scenario room --clients 500 --senders 10 --rate 10 --duration 15
//                   [--pid SERVER_PID] [--deflate on|off] [--parallel 64] [--connect-timeout 20] [--drain 10]
//                   [--server seed] [--json-out FILE]
// Exits 0 only if nothing was lost, duplicated or out of order (and, when sending, something was delivered).
import { readFileSync, appendFileSync } from "node:fs";
import { io } from "socket.io-client";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) =>
  (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ""), all[i + 1]]] : pairs), []));
const opt = {
  url: args.url ?? "http://127.0.0.1:8881",
  scenario: args.scenario ?? "room",
  clients: Number(args.clients ?? 100),
  senders: Number(args.senders ?? 10),
  rate: Number(args.rate ?? 10),
  duration: Number(args.duration ?? 10),
  pid: args.pid ? Number(args.pid) : null,
  deflate: (args.deflate ?? "off") === "on",
  parallel: Number(args.parallel ?? 64),
  connectTimeout: Number(args["connect-timeout"] ?? 20),
  drain: Number(args.drain ?? 10),
  server: args.server ?? ((args.deflate ?? "off") === "on" ? "seed+deflate" : "seed"),
  jsonOut: args["json-out"] ?? null,
};

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : null);

function serverCpuSeconds() {
  if (!opt.pid) return 0;
  const stat = readFileSync(`/proc/${opt.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
function serverRssMiB() {
  if (!opt.pid) return null;
  const line = readFileSync(`/proc/${opt.pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line.split(/\s+/)[1]) / 1024;
}
const toolCpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const totals = { acks: [], deliveries: 0, duplicated: 0, outOfOrder: 0, notices: 0, lastDelivery: 0, latencies: [] };

function makeClient(index, nickname) {
  const client = { index, nickname, socket: null, sent: 0, sendErrors: 0, lastCounter: new Map(), received: new Map() };
  client.connect = () => new Promise((resolve, reject) => {
    const socket = io(opt.url, {
      transports: ["websocket"], forceNew: true, reconnection: false,
      timeout: opt.connectTimeout * 1000, perMessageDeflate: opt.deflate ? { threshold: 0 } : false,
    });
    client.socket = socket;
    const timer = setTimeout(() => reject(new Error("connect+register timed out")), opt.connectTimeout * 1000);
    socket.on("message", () => { totals.notices++; });
    socket.on("broadcast_message", (m) => onBroadcast(client, m));
    socket.on("connect_error", (e) => { clearTimeout(timer); reject(e); });
    socket.on("connect", () => socket.emit("register", nickname, () => { clearTimeout(timer); resolve(); }));
  });
  client.send = () => new Promise((resolve) => {
    const text = `b|${index}|${client.sent}|${nowMs()}`;
    client.sent++;
    const started = nowMs();
    client.socket.timeout(30_000).emit("message", text, (error) => {
      if (error) client.sendErrors++; else totals.acks.push(nowMs() - started);
      resolve();
    });
  });
  return client;
}

function onBroadcast(client, m) {
  const now = nowMs();
  const parts = String(m.msg).split("|");
  if (parts.length !== 4 || parts[0] !== "b") return;
  const sender = Number(parts[1]), counter = Number(parts[2]);
  totals.latencies.push(now - Number(parts[3]));
  totals.deliveries++;
  totals.lastDelivery = now;
  const last = client.lastCounter.get(sender) ?? -1;
  if (counter <= last) { totals.duplicated++; return; }
  if (counter !== last + 1) totals.outOfOrder++;
  client.lastCounter.set(sender, counter);
  client.received.set(sender, (client.received.get(sender) ?? 0) + 1);
}

async function main() {
  const result = {
    server: opt.server, scenario: opt.scenario, clients: opt.clients, rooms: 1, senders: 0, rate: 0, durationSeconds: 0,
    loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ")[0],
  };
  const rssBefore = serverRssMiB();
  const run = Math.random().toString(36).slice(2, 8);
  const clients = Array.from({ length: opt.clients }, (_, i) => makeClient(i, `u${run}_${i}`));

  let cpu0 = serverCpuSeconds(), tool0 = toolCpuSeconds();
  const connectStart = nowMs();
  const connectTimes = [];
  let failures = 0, firstError = null, next = 0;
  await Promise.all(Array.from({ length: Math.min(opt.parallel, clients.length) }, async () => {
    while (next < clients.length) {
      const client = clients[next++];
      const started = nowMs();
      try { await client.connect(); connectTimes.push(nowMs() - started); client.live = true; }
      catch (e) { failures++; firstError ??= String(e?.message ?? e); }
    }
  }));
  result.connectSeconds = (nowMs() - connectStart) / 1000;
  result.registered = opt.clients - failures;
  result.firstError = firstError;
  connectTimes.sort((a, b) => a - b);
  result.connectP50Ms = percentile(connectTimes, 0.5);
  result.connectP99Ms = percentile(connectTimes, 0.99);

  const measure = (seconds, deliveries) => {
    result.measuredSeconds = seconds;
    result.deliveries = deliveries;
    result.deliveriesPerSecond = seconds > 0 ? deliveries / seconds : 0;
    result.toolCpuPercent = ((toolCpuSeconds() - tool0) / seconds) * 100;
    if (opt.pid) {
      const cpu = serverCpuSeconds() - cpu0;
      result.serverCpuSeconds = cpu;
      result.serverCpuPercent = (cpu / seconds) * 100;
      result.serverCpuMicrosPerDelivery = deliveries > 0 ? (cpu * 1e6) / deliveries : null;
      result.serverRssMiB = serverRssMiB();
    }
  };

  const live = clients.filter((c) => c.live);
  if (opt.scenario === "storm") {
    measure(result.connectSeconds, 0);
  } else if (opt.scenario === "idle") {
    await sleep(Math.min(opt.duration, 5) * 1000);
    measure((nowMs() - connectStart) / 1000, 0);
    result.rssPerConnectionKiB = ((result.serverRssMiB - rssBefore) * 1024) / Math.max(1, result.registered);
  } else {
    const burst = opt.scenario === "burst";
    const senders = live.slice(0, opt.senders);
    result.senders = senders.length;
    result.rate = burst ? 0 : opt.rate;
    result.durationSeconds = opt.duration;
    cpu0 = serverCpuSeconds(); tool0 = toolCpuSeconds();
    const start = nowMs();
    const interval = burst ? 0 : 1000 / opt.rate;
    await Promise.all(senders.map(async (sender, n) => {
      if (burst) { // as fast as acknowledgements allow: one message in flight per sender
        while (nowMs() - start < opt.duration * 1000) await sender.send();
        return;
      }
      // Open loop at the offered rate, at most 64 unacknowledged messages per sender (as the load tool).
      const inFlight = new Set();
      let due = start + interval * (n / senders.length);
      while (nowMs() - start < opt.duration * 1000) {
        const wait = due - nowMs();
        if (wait > 0) await sleep(wait);
        while (inFlight.size >= 64) await Promise.race(inFlight);
        const sending = sender.send().then(() => inFlight.delete(sending));
        inFlight.add(sending);
        due += interval;
      }
      await Promise.all(inFlight);
    }));
    const sendSeconds = (nowMs() - start) / 1000;
    const expected = live.length * senders.reduce((sum, s) => sum + s.sent - s.sendErrors, 0);
    // Until everything expected arrived, or nothing arrived for --drain seconds (as the load tool).
    let lastCount = totals.deliveries, lastProgress = nowMs();
    while (totals.deliveries < expected && nowMs() - lastProgress < opt.drain * 1000) {
      await sleep(20);
      if (totals.deliveries !== lastCount) { lastCount = totals.deliveries; lastProgress = nowMs(); }
    }
    const active = totals.lastDelivery > start ? (totals.lastDelivery - start) / 1000 : sendSeconds;
    measure(active, totals.deliveries);
    result.sent = senders.reduce((sum, s) => sum + s.sent, 0);
    result.sentPerSecond = result.sent / sendSeconds;
    result.sendErrors = senders.reduce((sum, s) => sum + s.sendErrors, 0);
    result.expected = expected;
    result.lost = live.reduce((sum, c) => sum + senders.reduce((s2, s) =>
      s2 + Math.max(0, s.sent - s.sendErrors - (c.received.get(s.index) ?? 0)), 0), 0);
    const sorted = Float64Array.from(totals.latencies).sort();
    result.latencyP50Ms = percentile(sorted, 0.5);
    result.latencyP95Ms = percentile(sorted, 0.95);
    result.latencyP99Ms = percentile(sorted, 0.99);
    result.latencyMaxMs = sorted.length ? sorted[sorted.length - 1] : null;
    const acks = Float64Array.from(totals.acks).sort();
    result.ackP50Ms = percentile(acks, 0.5);
    result.ackP99Ms = percentile(acks, 0.99);
  }
  result.duplicated = totals.duplicated;
  result.outOfOrder = totals.outOfOrder;
  result.seqAnomalies = 0;
  result.notices = totals.notices;
  result.lost ??= 0;
  result.sendErrors ??= 0;
  result.ok = failures === 0 && result.lost === 0 && result.duplicated === 0 && result.outOfOrder === 0
    && result.sendErrors === 0 && (["storm", "idle"].includes(opt.scenario) || result.deliveries > 0);
  // Figures that do not exist in this run are left out (the load tool's report reads them as "–").
  for (const [key, value] of Object.entries(result)) if (value === null && key !== "firstError") delete result[key];
  const line = JSON.stringify(result);
  console.log(line);
  if (opt.jsonOut) appendFileSync(opt.jsonOut, line + "\n");
  process.exit(result.ok ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(2); });
