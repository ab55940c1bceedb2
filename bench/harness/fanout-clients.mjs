// The fan-out benchmark's client harness, written once for both targets so that what is compared is the servers:
// the same process, connection concurrency, receipt handler, clock and histogram for Echain (SignalR, the way the
// frontend connects) and for the Socket.IO 4.8 peer (socket.io-client, the way the original design's pages did).
//
// usage: node fanout-clients.mjs --target echain|socketio --url http://127.0.0.1:PORT --event ID
//                                [--join http|negotiate] [--protocol json|messagepack] [--concurrency 32] [--threads 2]
// Control: one JSON command per stdin line, one JSON answer per stdout line (logs go to stderr):
//   {"cmd":"connect","clients":N}       connect and join N more clients → {connected, failed, seconds, firstError}
//   {"cmd":"start"}                     a measured phase begins: receipts, histogram and CPU start from zero
//   {"cmd":"end","expectedPerClient":M} wait (bounded) for M receipts on every client → the phase's figures
//   {"cmd":"close"}                     stop every client and exit
// The clients are spread over --threads worker threads (fanout-worker.mjs, one per core by default): a message to a
// group of 5,000 is 5,000 receipts at once, and one thread alone would add its own queueing to both targets' latency.
// Latency: every message's ticketId is (send time in wall-clock µs) × 1000 + a counter below 1000, written by the
// driver at the intended send time; latency = receipt time − send time, parsed identically for both targets.
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";

const options = parseArguments(process.argv.slice(2));
const threads = Array.from({ length: Math.max(1, options.threads) }, (_, index) => {
  // Connects in flight are shared out, so the crowd arrives as fast whatever the thread count.
  const concurrency = Math.max(1, Math.round(options.concurrency / Math.max(1, options.threads)));
  const worker = new Worker(new URL("./fanout-worker.mjs", import.meta.url), { workerData: { ...options, concurrency, index } });
  const pending = new Map();
  worker.on("message", (answer) => {
    const settle = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.error) settle?.reject(new Error(answer.error));
    else settle?.resolve(answer);
  });
  worker.on("error", (error) => {
    for (const settle of pending.values()) settle.reject(error);
    pending.clear();
  });
  let nextId = 0;
  const call = (command) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...command });
  });
  return { worker, call };
});
let phase = { cpu: process.cpuUsage(), at: performance.now() };

function parseArguments(args) {
  const o = { target: "", url: "", event: "", join: "http", protocol: "json", concurrency: 32, threads: availableParallelism() };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "");
    if (!(key in o)) throw new Error(`unknown option ${args[i]}`);
    o[key] = key === "concurrency" || key === "threads" ? Number(args[i + 1]) : args[i + 1];
  }
  if (!["echain", "socketio"].includes(o.target) || !o.url || !o.event) throw new Error("--target, --url and --event are required");
  if (!["http", "negotiate"].includes(o.join)) throw new Error("--join is http or negotiate");
  if (!["json", "messagepack"].includes(o.protocol)) throw new Error("--protocol is json or messagepack");
  return o;
}

const sum = (answers, field) => answers.reduce((total, a) => total + a[field], 0);

async function connect(count) {
  const started = performance.now();
  const shares = threads.map((_, i) => Math.floor(count / threads.length) + (i < count % threads.length ? 1 : 0));
  const answers = await Promise.all(threads.map((t, i) => t.call({ cmd: "connect", clients: shares[i] })));
  return {
    connected: sum(answers, "connected"),
    failed: sum(answers, "failed"),
    firstError: answers.find((a) => a.firstError)?.firstError ?? null,
    seconds: (performance.now() - started) / 1000,
  };
}

async function start() {
  await Promise.all(threads.map((t) => t.call({ cmd: "start" })));
  phase = { cpu: process.cpuUsage(), at: performance.now() };
  return {};
}

async function end(command) {
  const answers = await Promise.all(threads.map((t) => t.call(command)));
  const cpu = process.cpuUsage(phase.cpu); // the whole process: every thread's clients and this one
  return {
    clients: sum(answers, "clients"),
    received: sum(answers, "received"),
    expected: sum(answers, "expected"),
    clientsShort: sum(answers, "clientsShort"),
    clientsClosed: sum(answers, "clientsClosed"),
    malformed: sum(answers, "malformed"),
    seconds: (performance.now() - phase.at) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssMb: process.memoryUsage().rss / 1048576,
    // [value µs, count] of every recorded bucket of every thread: the driver adds them into one histogram.
    latencyMicros: answers.flatMap((a) => a.latencyMicros),
  };
}

async function close() {
  await Promise.allSettled(threads.map((t) => t.call({ cmd: "close" })));
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
        case "start": answer("start", await start()); break;
        case "end": answer("end", await end(command)); break;
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
process.stdout.write(JSON.stringify({ reply: "ready", pid: process.pid, threads: threads.length }) + "\n");
