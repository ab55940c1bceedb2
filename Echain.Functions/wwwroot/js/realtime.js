// One SignalR connection for the page. withUrl(apiBase): the client POSTs {apiBase}/negotiate and
// follows the {url, accessToken} redirect (in-process hub standalone, SignalR Service on Azure).
// The connection state is always shown. Stateful reconnect replays what a short blip lost. After a
// reconnect (a new connection id) the page rejoins its event groups and resumes each stream from the
// last seq it applied (continuity.js); it refetches everything only when the history is gone (410).
import { apiBase } from "./config.js";
import { send } from "./api.js";
import { createContinuity } from "./continuity.js";

// Every target passes through the seq check, handled or not, so no stream sees a false gap.
const TARGETS = ["ticket-purchased", "ticket-transferred", "event-updated", "balance-updated", "notification"];

const STATES = {
  connecting: "Connecting…",
  connected: "Live — connected",
  reconnecting: "Reconnecting…",
  offline: "Offline — retrying",
};

// Automatic reconnect: 0, 1, 2, 4, 8, 10, 10 … seconds (plus jitter) for about a minute, then the
// connection closes and we call it offline, retrying every 15–30 s until the server is back.
const RECONNECT_WINDOW_MS = 60_000;
const retryPolicy = {
  nextRetryDelayInMilliseconds({ previousRetryCount, elapsedMilliseconds }) {
    if (elapsedMilliseconds > RECONNECT_WINDOW_MS) return null;
    if (previousRetryCount === 0) return 0;
    return Math.min(1000 * 2 ** (previousRetryCount - 1), 10_000) + Math.random() * 250;
  },
};

/** options.userToken: () => the signed-in user's token or null; with one the page also follows its own stream. */
export function createRealtime(statusElement, options = {}) {
  const signalR = window.signalR;
  const handlers = new Map(); // target -> Set<fn>
  const groups = new Set();
  const resyncListeners = new Set();
  let offlineAttempt = 0;
  let retryTimer = 0;

  const scheduleStart = (delay) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, delay);
  };

  const setState = (state) => {
    statusElement.dataset.state = state;
    statusElement.querySelector("#connection-text").textContent = STATES[state];
  };

  if (!signalR) {
    setState("offline");
    statusElement.querySelector("#connection-text").textContent = "Offline — realtime script missing";
    return { on() {}, joinGroup() {}, onResync() {}, lastSeq: () => null };
  }

  const userToken = options.userToken ?? (() => null);
  const connection = new signalR.HubConnectionBuilder()
    // The negotiate redirect ({url, accessToken}) is followed by the client itself; a user token
    // makes the connection receive that wallet's own messages.
    .withUrl(apiBase, options.userToken ? { accessTokenFactory: () => userToken() ?? "" } : {})
    .withAutomaticReconnect(retryPolicy)
    .withStatefulReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  const resync = (reason) => {
    for (const listener of resyncListeners) listener(reason);
  };
  // Handlers get (payload, {resumed}): resumed is true for a message read from the resume endpoint.
  // "echain:message" on window announces each applied message once, for anything else on the page.
  const continuity = createContinuity((target, payload, resumed) => {
    handlers.get(target)?.forEach((fn) => fn(payload, { resumed }));
    window.dispatchEvent(new CustomEvent("echain:message", { detail: { target, payload, resumed } }));
  }, () => resync("gone"));
  for (const target of TARGETS) connection.on(target, (payload) => continuity.receive(target, payload));

  const joinOne = (eventId) =>
    send("POST", `realtime/groups/${encodeURIComponent(eventId)}`, { connectionId: connection.connectionId });
  const groupPath = (eventId) => `realtime/groups/${encodeURIComponent(eventId)}/messages`;
  const baselineGroup = (eventId) => continuity.baseline(groupPath(eventId));

  let everConnected = false;
  let meTracked = false;

  async function joinAllAndResync() {
    await Promise.all([...groups].map(joinOne));
    if (!meTracked && userToken()) {
      await continuity.baseline("realtime/me/messages", userToken);
      meTracked = true;
    }
    if (everConnected) {
      // Missed messages go through the same handlers, in order; a 410 fires resync("gone").
      setState("connected");
      const gone = await continuity.resumeAll();
      // How the last reconnect caught up: "resumed" (missed messages replayed) or "refetched" (410).
      statusElement.dataset.resume = gone ? "refetched" : "resumed";
      statusElement.dataset.resumes = String(Number(statusElement.dataset.resumes ?? 0) + 1);
      return;
    }
    await Promise.all([...groups].map(baselineGroup));
    setState("connected");
    everConnected = true;
    resync("connected");
  }

  async function start() {
    try {
      await connection.start();
      offlineAttempt = 0;
      await joinAllAndResync();
    } catch (error) {
      console.warn("Realtime connection failed", error);
      setState("offline");
      scheduleStart(Math.min(15_000 * 2 ** offlineAttempt++, 30_000) + Math.random() * 1000);
      if (connection.state === signalR.HubConnectionState.Connected) await connection.stop();
    }
  }

  connection.onreconnecting(() => setState("reconnecting"));
  connection.onreconnected(() => joinAllAndResync().catch(() => connection.stop()));
  // Closed: automatic reconnect gave up, or a rejoin failed. Start again (a failed start backs off).
  connection.onclose(() => {
    setState("offline");
    if (offlineAttempt === 0) scheduleStart(1000 + Math.random() * 1000);
  });

  setState("connecting");
  start();

  return {
    /** Handles a realtime target (ticket-purchased, ticket-transferred, event-updated, …). */
    on(target, handler) {
      if (!handlers.has(target)) {
        handlers.set(target, new Set());
        if (!TARGETS.includes(target)) connection.on(target, (payload) => continuity.receive(target, payload));
      }
      handlers.get(target).add(handler);
    },
    /** Joins event-{eventId} now (when connected) and after every reconnect; its seq baseline is taken once. */
    async joinGroup(eventId) {
      if (groups.has(eventId)) return;
      groups.add(eventId);
      // Joining twice is harmless, and a stream's baseline is taken only once: safe during the first connect too.
      if (connection.state === signalR.HubConnectionState.Connected) {
        await joinOne(eventId);
        await baselineGroup(eventId);
      }
    },
    /** The last seq applied in a stream ("event-7", "user-0x…"), or null. */
    lastSeq: (stream) => continuity.lastSeq(stream),
    /**
     * listener("connected" | "gone"): once connected (groups joined, baselines taken), and whenever a
     * stream's history no longer covers what the page missed — then refetch what it shows.
     */
    onResync(listener) {
      resyncListeners.add(listener);
    },
  };
}
