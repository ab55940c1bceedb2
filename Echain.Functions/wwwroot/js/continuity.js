// Exactly-once, in-order realtime messages on top of SignalR's at-least-once delivery. Every message carries
// {stream, seq}: seq counts per stream (event-{id}, user-{address}) without gaps. Per stream the page keeps the
// last seq it applied: a seq it has is dropped, a gap (seq > last + 1; concurrent consumers may publish out of
// order) waits briefly for the missing ones and then reads them from the resume endpoint. After a reconnect
// resume() reads what was missed; only a 410 (history no longer kept) means "refetch everything".
import { apiUrl } from "./config.js";

const GAP_WAIT_MS = 750;
const PAGE_LIMIT_GUARD = 100; // at most this many pages (1000 messages each) per resume

export function createContinuity(dispatch, onGone) {
  const streams = new Map(); // stream -> { path, last: number|null, pending: Map<seq, [target, payload, resumed]>, gapTimer, token }

  const track = (stream, path, token) => {
    let s = streams.get(stream);
    if (!s) streams.set(stream, (s = { path, last: null, pending: new Map(), gapTimer: 0, token }));
    s.path = path;
    s.token = token;
    return s;
  };

  async function read(s, after) {
    const headers = { Accept: "application/json" };
    const token = s.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(apiUrl(s.path, { after }), { headers, cache: "no-store" });
    if (response.status === 410) return null;
    if (!response.ok) throw new Error(`resume answered ${response.status}`);
    return response.json();
  }

  function drain(s) {
    for (const seq of s.pending.keys()) if (seq <= s.last) s.pending.delete(seq);
    while (s.pending.has(s.last + 1)) {
      const [target, payload, resumed] = s.pending.get(s.last + 1);
      s.pending.delete(s.last + 1);
      s.last += 1;
      dispatch(target, payload, resumed);
    }
    clearTimeout(s.gapTimer);
    s.gapTimer = 0;
    if (s.pending.size > 0) s.gapTimer = setTimeout(() => resumeOne(s).catch((e) => console.warn("Resume failed", e)), GAP_WAIT_MS);
  }

  /** Reads everything after s.last and applies it in order; a 410 sets a new baseline and reports it. True when gone. */
  async function resumeOne(s) {
    if (s.last === null) {
      // The first baseline never arrived: what the page shows is of unknown age.
      s.last = (await read(s, undefined)).latest;
      drain(s);
      onGone(s.path);
      return true;
    }
    for (let page = 0; page < PAGE_LIMIT_GUARD; page++) {
      const answer = await read(s, s.last);
      if (answer === null) {
        const baseline = await read(s, undefined);
        s.last = baseline.latest; // the refetch shows everything up to here
        s.pending.clear();
        drain(s);
        onGone(baseline.stream);
        return true;
      }
      for (const m of answer.messages) if (!s.pending.has(m.seq)) s.pending.set(m.seq, [m.target, m.payload, true]);
      drain(s);
      if (!answer.hasMore) return false;
    }
    return false;
  }

  return {
    /** Every message passes here. Messages without a seq (an older server) go straight through. */
    receive(target, payload) {
      const { stream, seq } = payload ?? {};
      if (typeof seq !== "number" || typeof stream !== "string") return dispatch(target, payload ?? {});
      let s = streams.get(stream);
      if (!s) {
        // A stream the page cannot resume (no endpoint known): start counting at the first seq it sees.
        s = track(stream, null, null);
        s.last = seq - 1;
      }
      if ((s.last !== null && seq <= s.last) || s.pending.has(seq)) return; // a redelivery: already applied
      s.pending.set(seq, [target, payload, false]);
      if (s.last !== null) drain(s);
    },
    /** First join: the stream's latest seq is the baseline; what arrived meanwhile and is newer is applied. */
    async baseline(path, token) {
      const first = await read({ path, token }, undefined);
      const s = track(first.stream, path, token);
      if (s.last === null) {
        s.last = first.latest;
        drain(s);
      }
      return first.stream;
    },
    /** After a reconnect: every tracked stream reads what it missed; true when any had to refetch (410). */
    resumeAll: async () => (await Promise.all([...streams.values()].filter((s) => s.path).map(resumeOne))).some(Boolean),
    lastSeq: (stream) => streams.get(stream)?.last ?? null,
    /** Stops following the streams read from path (the signed-in user's, when the identity changes). */
    forget(path) {
      for (const [stream, s] of streams) {
        if (s.path !== path) continue;
        clearTimeout(s.gapTimer);
        streams.delete(stream);
      }
    },
  };
}
