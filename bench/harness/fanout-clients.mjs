// The fan-out benchmark's client harness, written once for both targets so that what is compared is the servers:
// the same process, connection concurrency, receipt handler, clock and histogram for Echain (SignalR, the way the
// frontend connects) and for the Socket.IO 4.8 peer (socket.io-client, the way the original design's pages did).
//
// usage: node fanout-clients.mjs --target echain|socketio --url http://127.0.0.1:PORT --event ID
//                                [--join http|negotiate] [--protocol json|messagepack] [--concurrency 32]
// Control: one JSON command per stdin line, one JSON answer per stdout line (logs go to stderr):
//   {"cmd":"connect","clients":N}       connect and join N more clients → {connected, added, failed, seconds, firstError}
//   {"cmd":"start"}                     a measured phase begins: receipts, histogram and CPU start from zero
//   {"cmd":"end","expectedPerClient":M} wait (bounded) for M receipts on every client → the phase's figures
//   {"cmd":"close"}                     stop every client and exit
// Latency: every message's ticketId is (send time in wall-clock µs) × 1000 + a counter below 1000, written by the
// driver at the intended send time; latency = receipt time − send time, parsed identically for both targets.
import { createInterface } from "node:readline";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { io } from "socket.io-client";
import * as hdr from "hdr-histogram-js";

const options = parseArguments(process.argv.slice(2));
const clients = []; // { close(): Promise<void>, received: number, closed: boolean }
let histogram = newHistogram();
let phase = { started: false, cpu: process.cpuUsage(), at: performance.now(), late: 0, malformed: 0 };
let clock = wallClock();

function parseArguments(args) {
  const o = { target: "", url: "", event: "", join: "http", protocol: "json", concurrency: 32 };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "");
    if (!(key in o)) throw new Error(`unknown option ${args[i]}`);
    o[key] = key === "concurrency" ? Number(args[i + 1]) : args[i + 1];
  }
  if (!["echain", "socketio"].includes(o.target) || !o.url || !o.event) throw new Error("--target, --url and --event are required");
  if (!["http", "negotiate"].includes(o.join)) throw new Error("--join is http or negotiate");
  if (!["json", "messagepack"].includes(o.protocol)) throw new Error("--protocol is json or messagepack");
  return o;
}

function newHistogram() {
  // µs from 1 to 5 minutes, 3 significant digits: the driver's own latency histograms.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 300_000_000, numberOfSignificantValueDigits: 3 });
}

// Wall clock in µs with performance.now()'s resolution: the offset is taken at a millisecond edge of Date.now(), so it
// is exact to a few µs, and taken again at each phase start so the monotonic clock cannot drift from the wall clock.
function wallClock() {
  const first = Date.now();
  let now;
  while ((now = Date.now()) === first) { /* spin to the next millisecond edge (at most 1 ms) */ }
  const offset = now * 1000 - performance.now() * 1000;
  return () => offset + performance.now() * 1000;
}

// The same handler for both targets: one ticket-purchased payload {ticketId, buyer, eventId, …}.
function onReceipt(client, payload) {
  const received = clock();
  const ticketId = String(payload?.ticketId ?? "");
  const sentMicros = Number(ticketId.slice(0, -3));
  client.received++;
  if (!phase.started) { phase.late++; return; }
  if (!Number.isFinite(sentMicros) || sentMicros <= 0) { phase.malformed++; return; }
  histogram.recordValue(Math.min(300_000_000, Math.max(1, Math.round(received - sentMicros))));
}

const stderrLogger = {
  log(level, message) {
    if (level >= signalR.LogLevel.Warning) process.stderr.write(`[signalr ${signalR.LogLevel[level]}] ${message}\n`);
  },
};

async function connectEchain() {
  // POST /api/negotiate (the client's normal negotiate redirect), then WebSockets; with --join negotiate the
  // negotiate request names the event and the hub joins its group before it sends the proof.
  const hubUrl = options.join === "negotiate" ? `${options.url}/api?events=${options.event}` : `${options.url}/api`;
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(hubUrl, { transport: signalR.HttpTransportType.WebSockets })
    .withStatefulReconnect()
    .configureLogging(stderrLogger);
  if (options.protocol === "messagepack") builder.withHubProtocol(new MessagePackHubProtocol());
  const connection = builder.build();
  connection.serverTimeoutInMilliseconds = 120_000;
  const client = { received: 0, closed: false, close: () => connection.stop() };
  let proofReceived;
  const proof = new Promise((resolve) => { proofReceived = resolve; });
  connection.on("connection-proof", (p) => proofReceived(p.proof));
  connection.on("ticket-purchased", (payload) => onReceipt(client, payload));
  connection.onclose(() => { client.closed = true; });
  await connection.start();
  const proofValue = await withTimeout(proof, 30_000, "connection-proof");
  if (options.join === "http") {
    const response = await fetch(`${options.url}/api/realtime/groups/${options.event}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ connectionId: connection.connectionId, proof: proofValue }),
    });
    await response.arrayBuffer();
    if (response.status !== 204) {
      await connection.stop();
      throw new Error(`group join answered ${response.status}`);
    }
  }
  return client;
}

async function connectSocketIo() {
  const socket = io(options.url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 30_000 });
  const client = { received: 0, closed: false, close: async () => { socket.close(); } };
  socket.on("ticket-purchased", (payload) => onReceipt(client, payload));
  socket.on("disconnect", () => { client.closed = true; });
  await withTimeout(new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  }), 30_000, "connect");
  await socket.timeout(30_000).emitWithAck("join-event", options.event);
  return client;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); }),
  ]);
}

async function connect(count) {
  const started = performance.now();
  const connectOne = options.target === "echain" ? connectEchain : connectSocketIo;
  let next = 0, failed = 0, firstError = null;
  // Concurrency-limited like a crowd arriving, not a thundering herd: `concurrency` connects in flight at a time.
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        clients.push(await connectOne());
      } catch (error) {
        failed++;
        firstError ??= String(error?.message ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  return { connected: clients.length, added: count - failed, failed, firstError, seconds: (performance.now() - started) / 1000 };
}

function start() {
  clock = wallClock();
  histogram = newHistogram();
  for (const client of clients) client.received = 0;
  phase = { started: true, cpu: process.cpuUsage(), at: performance.now(), late: 0, malformed: 0 };
  return {};
}

async function end(expectedPerClient, timeoutMs = 60_000, stallMs = 5_000) {
  // Bounded: until every client has its messages, at most timeoutMs, and giving up after stallMs without progress.
  const begun = performance.now();
  let seen = -1, progressAt = begun;
  for (;;) {
    const total = clients.reduce((sum, c) => sum + c.received, 0);
    if (clients.every((c) => c.received >= expectedPerClient)) break;
    const now = performance.now();
    if (total !== seen) { seen = total; progressAt = now; }
    if (now - begun > timeoutMs || now - progressAt > stallMs) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const cpu = process.cpuUsage(phase.cpu);
  phase.started = false;
  const values = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const v = iterator.next();
    values.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  return {
    clients: clients.length,
    received: clients.reduce((sum, c) => sum + c.received, 0),
    expected: expectedPerClient * clients.length,
    clientsShort: clients.filter((c) => c.received < expectedPerClient).length,
    clientsClosed: clients.filter((c) => c.closed).length,
    malformed: phase.malformed, // messages whose ticketId carries no send time: the driver treats them as broken
    seconds: (performance.now() - phase.at) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssMb: process.memoryUsage().rss / 1048576,
    latencyMicros: values, // [value µs, count] of every recorded bucket: the driver rebuilds the same histogram
  };
}

async function close() {
  await Promise.allSettled(clients.map((c) => c.close()));
  return {};
}

const commands = createInterface({ input: process.stdin });
const answer = (reply, body) => process.stdout.write(JSON.stringify({ reply, ...body }) + "\n");
let queue = Promise.resolve();
commands.on("line", (line) => {
  if (!line.trim()) return;
  // One command at a time, in order: each answer follows its command.
  queue = queue.then(async () => {
    const command = JSON.parse(line);
    try {
      switch (command.cmd) {
        case "connect": answer("connect", await connect(command.clients)); break;
        case "start": answer("start", start()); break;
        case "end": answer("end", await end(command.expectedPerClient, command.timeoutMs, command.stallMs)); break;
        case "close": answer("close", await close()); process.exit(0); break;
        default: answer("error", { error: `unknown command ${command.cmd}` });
      }
    } catch (error) {
      answer("error", { error: String(error?.stack ?? error) });
    }
  });
});
// The driver closing stdin (it ended or died) ends the harness too: no client process is left behind.
commands.on("close", () => queue.then(close).then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ reply: "ready", pid: process.pid }) + "\n");
