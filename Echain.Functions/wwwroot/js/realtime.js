// One SignalR connection for the page. withUrl(apiBase): the client POSTs {apiBase}/negotiate and
// follows the {url, accessToken} redirect (in-process hub standalone, SignalR Service on Azure).
// The connection state is always shown. Stateful reconnect replays what a short blip lost. After a
// reconnect (a new connection id) the page rejoins its event groups and resumes each stream from the
// last seq it applied (continuity.js); it refetches everything only when the history is gone (410).
// Its groups are named at negotiate (?events=): the standalone hub joins them as it connects and lists them
// in the connection-proof; what the proof does not list (the Functions host joins nothing) is joined over HTTP.
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
// Negotiate accepts at most this many events; any others are joined over HTTP.
const MAX_NEGOTIATED_EVENTS = 20;
// Ids negotiate surely accepts (below 2^256): one it would refuse fails the whole connect, so it joins over HTTP instead.
const NEGOTIABLE_EVENT_ID = /^(?:[0-9]{1,77}|0x[0-9a-fA-F]{1,64})$/;
const retryPolicy = {
  nextRetryDelayInMilliseconds({ previousRetryCount, elapsedMilliseconds }) {
    if (elapsedMilliseconds > RECONNECT_WINDOW_MS) return null;
    if (previousRetryCount === 0) return 0;
    return Math.min(1000 * 2 ** (previousRetryCount - 1), 10_000) + Math.random() * 250;
  },
};

/** initialAccessToken: a signed-in user's token (js/signin.js), or "" to connect anonymously. */
export function createRealtime(statusElement, initialAccessToken = "") {
  const signalR = window.signalR;
  const handlers = new Map(); // target -> Set<fn>
  const groups = new Set();
  const resyncListeners = new Set();
  let offlineAttempt = 0;
  let retryTimer = 0;
  // A user token makes negotiate name the wallet, and the page then also follows the wallet's own stream.
  let accessToken = initialAccessToken;
  let switchingIdentity = false;
  const userToken = () => accessToken || null;

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
    return { on() {}, joinGroup() {}, onResync() {}, lastSeq: () => null, async useAccessToken() {} };
  }

  const connection = new signalR.HubConnectionBuilder()
    // The negotiate redirect ({url, accessToken}) is followed by the client itself; the factory is
    // asked again at every (re)negotiate, so a sign-in takes effect at the next start.
    .withUrl(apiBase, { accessTokenFactory: () => accessToken })
    .withAutomaticReconnect(retryPolicy)
    .withStatefulReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  // The groups ride on the negotiate URL, read again before every (re)connect.
  const negotiateUrl = () => {
    const named = [...groups].filter((id) => NEGOTIABLE_EVENT_ID.test(id)).slice(0, MAX_NEGOTIATED_EVENTS);
    return named.length ? `${apiBase}?events=${named.join(",")}` : apiBase;
  };

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

  // The hub (OnConnected on Azure) sends each connection its proof right after it connects; a group change
  // must carry it, so nobody who only learns the connection id can change this page's groups. A reconnect is
  // a new connection id with a new proof: joins wait for the proof of the current id.
  const proofs = new Map(); // connectionId -> { promise, resolve }: the promise gives { proof, events }
  const proofEntry = (connectionId) => {
    if (!proofs.has(connectionId)) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      proofs.set(connectionId, { promise, resolve });
    }
    return proofs.get(connectionId);
  };
  connection.on("connection-proof", ({ connectionId, proof, events }) => {
    for (const id of proofs.keys()) if (id !== connectionId && id !== connection.connectionId) proofs.delete(id);
    proofEntry(connectionId).resolve({ proof, events: events ?? [] });
  });

  const joinOne = async (eventId) => {
    const connectionId = connection.connectionId;
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("no connection-proof within 10 s")), 10_000);
    });
    const { proof, events } = await Promise.race([proofEntry(connectionId).promise, late]).finally(() => clearTimeout(timer));
    if (events.includes(String(eventId))) return; // joined at negotiate, before the proof was sent
    return send("POST", `realtime/groups/${encodeURIComponent(eventId)}`, { connectionId, proof });
  };
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
    // A retry timer that fires after useAccessToken already started the connection has nothing to do.
    if (connection.state !== signalR.HubConnectionState.Disconnected) return;
    try {
      connection.baseUrl = negotiateUrl();
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

  connection.onreconnecting(() => {
    setState("reconnecting");
    connection.baseUrl = negotiateUrl(); // the reconnect negotiates again: name the groups joined since
  });
  connection.onreconnected(() => joinAllAndResync().catch(() => connection.stop()));
  // Closed: automatic reconnect gave up, or a rejoin failed. Start again (a failed start backs off).
  connection.onclose(() => {
    if (switchingIdentity) return; // useAccessToken starts the next connection itself
    setState("offline");
    if (offlineAttempt === 0) scheduleStart(1000 + Math.random() * 1000);
  });

  setState("connecting");
  // Pages name their groups right after createRealtime (same task): starting after it lets them ride on negotiate.
  scheduleStart(0);

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
    /** Reconnects as the wallet of a user token (or anonymously with ""): groups follow, the own stream is the new wallet's. */
    async useAccessToken(token) {
      accessToken = token || "";
      continuity.forget("realtime/me/messages");
      meTracked = false;
      switchingIdentity = true;
      try {
        await connection.stop();
      } finally {
        switchingIdentity = false;
      }
      clearTimeout(retryTimer);
      offlineAttempt = 0;
      setState("connecting");
      await start();
    },
  };
}
