// One SignalR connection for the page. withUrl(apiBase): the client POSTs {apiBase}/negotiate and
// follows the {url, accessToken} redirect (in-process hub standalone, SignalR Service on Azure).
// The connection state is always shown. After any reconnect the page rejoins its event groups
// (a reconnect is a new connection id) and then resyncs: it refetches everything it shows.
import { apiBase } from "./config.js";
import { send } from "./api.js";

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

export function createRealtime(statusElement, initialAccessToken = "") {
  const signalR = window.signalR;
  const handlers = new Map(); // target -> Set<fn>
  const groups = new Set();
  const resyncListeners = new Set();
  let offlineAttempt = 0;
  let retryTimer = 0;
  // A user token (wallet sign-in, js/signin.js) makes negotiate name the wallet; "" connects anonymously.
  let accessToken = initialAccessToken;
  let switchingIdentity = false;

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
    return { on() {}, joinGroup() {}, onResync() {}, async useAccessToken() {} };
  }

  const connection = new signalR.HubConnectionBuilder()
    // The negotiate redirect ({url, accessToken}) is followed by the client itself; the factory is
    // asked again at every (re)negotiate, so a sign-in takes effect at the next start.
    .withUrl(apiBase, { accessTokenFactory: () => accessToken })
    .withAutomaticReconnect(retryPolicy)
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  // The hub (OnConnected on Azure) sends each connection its proof right after it connects; a group change
  // must carry it, so nobody who only learns the connection id can change this page's groups. A reconnect is
  // a new connection id with a new proof: joins wait for the proof of the current id.
  const proofs = new Map(); // connectionId -> { promise, resolve }
  const proofEntry = (connectionId) => {
    if (!proofs.has(connectionId)) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      proofs.set(connectionId, { promise, resolve });
    }
    return proofs.get(connectionId);
  };
  connection.on("connection-proof", ({ connectionId, proof }) => {
    for (const id of proofs.keys()) if (id !== connectionId && id !== connection.connectionId) proofs.delete(id);
    proofEntry(connectionId).resolve(proof);
  });

  const joinOne = async (eventId) => {
    const connectionId = connection.connectionId;
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("no connection-proof within 10 s")), 10_000);
    });
    const proof = await Promise.race([proofEntry(connectionId).promise, late]).finally(() => clearTimeout(timer));
    return send("POST", `realtime/groups/${encodeURIComponent(eventId)}`, { connectionId, proof });
  };

  let everConnected = false;

  async function joinAllAndResync() {
    await Promise.all([...groups].map(joinOne));
    setState("connected");
    const reason = everConnected ? "reconnected" : "connected";
    everConnected = true;
    for (const listener of resyncListeners) listener(reason);
  }

  async function start() {
    // A retry timer that fires after useAccessToken already started the connection has nothing to do.
    if (connection.state !== signalR.HubConnectionState.Disconnected) return;
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
    if (switchingIdentity) return; // useAccessToken starts the next connection itself
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
        connection.on(target, (payload) => handlers.get(target).forEach((fn) => fn(payload ?? {})));
      }
      handlers.get(target).add(handler);
    },
    /** Joins event-{eventId} now (when connected) and after every reconnect. */
    async joinGroup(eventId) {
      if (groups.has(eventId)) return;
      groups.add(eventId);
      if (connection.state === signalR.HubConnectionState.Connected) await joinOne(eventId);
    },
    /** listener("connected" | "reconnected"): once connected and after every reconnect, groups rejoined. */
    onResync(listener) {
      resyncListeners.add(listener);
    },
    /** Reconnects as the wallet of a user token (or anonymously with ""): the connection id and groups follow. */
    async useAccessToken(token) {
      accessToken = token || "";
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
