// One thread of the fan-out harness (fanout-clients.mjs starts one per core): its share of the clients, their receipts
// and its own latency histogram. The connect code, receipt handler and clock are the same for both targets.
import { parentPort, workerData } from "node:worker_threads";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { io } from "socket.io-client";
import * as hdr from "hdr-histogram-js";

const options = workerData; // parsed by fanout-clients.mjs
const clients = []; // { close(): Promise<void>, received: number, closed: boolean }
let histogram = newHistogram();
let phase = { started: false, late: 0, malformed: 0 };
let clock = wallClock();

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
  connection.on("connection-proof", (p) => proofReceived(p));
  connection.on("ticket-purchased", (payload) => onReceipt(client, payload));
  connection.onclose(() => { client.closed = true; });
  await connection.start();
  const { proof: proofValue, events: joined } = await withTimeout(proof, 30_000, "connection-proof");
  if (options.join === "negotiate" && !(joined ?? []).map(String).includes(String(options.event))) {
    await connection.stop();
    throw new Error(`the proof lists events ${JSON.stringify(joined)}, not ${options.event}: the hub did not join at negotiate`);
  }
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
  return { connected: clients.length, failed, firstError };
}

function start() {
  clock = wallClock();
  histogram = newHistogram();
  for (const client of clients) client.received = 0;
  phase = { started: true, late: 0, malformed: 0 };
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
    latencyMicros: values, // [value µs, count] of every recorded bucket: the driver rebuilds the same histogram
  };
}

async function close() {
  await Promise.allSettled(clients.map((c) => c.close()));
  return {};
}

// One command at a time, in order, from the controlling thread; each answer carries its command's id.
let queue = Promise.resolve();
parentPort.on("message", (command) => {
  queue = queue.then(async () => {
    try {
      switch (command.cmd) {
        case "connect": parentPort.postMessage({ id: command.id, ...(await connect(command.clients)) }); break;
        case "start": parentPort.postMessage({ id: command.id, ...start() }); break;
        case "end": parentPort.postMessage({ id: command.id, ...(await end(command.expectedPerClient, command.timeoutMs, command.stallMs)) }); break;
        case "close": parentPort.postMessage({ id: command.id, ...(await close()) }); break;
        default: parentPort.postMessage({ id: command.id, error: `unknown command ${command.cmd}` });
      }
    } catch (error) {
      parentPort.postMessage({ id: command.id, error: String(error?.stack ?? error) });
    }
  });
});
