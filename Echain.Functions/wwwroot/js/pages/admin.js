// "/admin" — the operator page: every KPI against its threshold, the queue and the newest failures, from
// GET /api/admin/metrics behind the admin key. The key is kept in this tab only (sessionStorage); a missing or
// wrong key shows a refusal and no figures. Charts are hand-written SVG, one line per KPI over the last 15 minutes.
import { h, fill, setTitle } from "../dom.js";
import { apiUrl } from "../config.js";
import { formatDate } from "../format.js";
import { section } from "./shared.js";

const KEY_STORAGE = "echain-admin-key";
const KEY_HEADER = "X-Echain-Admin-Key";
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 180;
const HEIGHT = 40;
// The server's window has one value per 10 s interval (resolutionSeconds): polling faster would only repeat it.
const DEFAULT_POLL_MS = 10_000;

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

export function showAdmin(main) {
  setTitle("Operator");
  const input = h("input", { id: "admin-key", type: "password", autocomplete: "off", required: true });
  const form = h("form", { id: "admin-key-form", class: "card" },
    h("label", { for: "admin-key" }, "Admin key (X-Echain-Admin-Key) "), input, " ", h("button", { type: "submit" }, "Show"));
  const status = h("div", { id: "admin-status", "aria-live": "polite" });
  const content = h("div", { id: "admin-content" });
  fill(main, h("h1", {}, "Operator"), form, status, content);

  let timer = null;
  const poll = async () => {
    clearTimeout(timer);
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (!key) {
      fill(content);
      fill(status, h("p", { class: "notice", id: "admin-refused" }, "Enter the admin key to see the figures."));
      return;
    }
    let response;
    try {
      response = await fetch(apiUrl("admin/metrics"), { headers: { Accept: "application/json", [KEY_HEADER]: key }, cache: "no-store" });
    } catch {
      fill(status, h("p", { class: "notice error", role: "alert" }, "The app could not be reached; retrying."));
      timer = setTimeout(poll, DEFAULT_POLL_MS);
      return;
    }
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      // Refused: forget the key and show nothing of the previous answer.
      sessionStorage.removeItem(KEY_STORAGE);
      fill(content);
      fill(status, h("p", { class: "notice error", role: "alert", id: "admin-refused" },
        response.status === 404 ? "The admin routes are off on this instance (no Echain:Admin:Key)." : "Refused: the admin key is missing or wrong."));
      return;
    }
    if (!response.ok) {
      fill(status, h("p", { class: "notice error", role: "alert" }, `The metrics could not be read (${response.status}); retrying.`));
      timer = setTimeout(poll, DEFAULT_POLL_MS);
      return;
    }
    const data = await response.json();
    fill(status, h("p", { class: "muted", id: "admin-updated" }, `Updated ${formatDate(new Date().toISOString())}; one value per ${data.resolutionSeconds} s, last ${data.windowMinutes} minutes.`));
    render(content, data);
    timer = setTimeout(poll, Math.max(DEFAULT_POLL_MS, data.resolutionSeconds * 1000));
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, input.value);
    input.value = "";
    poll();
  });
  poll();
}

function render(content, data) {
  fill(content,
    h("ul", { class: "kpi-grid", id: "kpi-tiles" }, data.kpis.map(tile)),
    section("queue", "Queue", queueFacts(data)),
    section("failures", "Recent failed deliveries", failures(data.recentFailures)),
    data.deadLetters.length > 0 ? section("dead-letters", "Dead letters (oldest first)", deadLetters(data.deadLetters)) : null);
}

function formatValue(value, unit) {
  if (value === null || value === undefined) return "no data";
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

function tile(kpi) {
  const comparison = kpi.direction === "above" ? "alert above" : "alert below";
  return h("li", { class: "card kpi-tile", "data-kpi": kpi.id, "data-state": kpi.state },
    h("h2", {}, kpi.title),
    h("p", { class: "kpi-value" }, h("span", { class: "kpi-dot", "aria-hidden": "true" }), formatValue(kpi.value, kpi.unit)),
    h("p", { class: "muted" }, `${comparison} ${kpi.threshold} ${kpi.unit} · `, h("span", { class: "kpi-state" }, kpi.state)),
    chart(kpi));
}

function chart(kpi) {
  const points = kpi.series.filter((p) => p.value !== null);
  const title = svg("title", {}, `${kpi.title}, last 15 minutes`);
  if (points.length === 0) return svg("svg", { class: "kpi-chart", role: "img", viewBox: `0 0 ${WIDTH} ${HEIGHT}` }, title);
  const end = Date.parse(kpi.series[kpi.series.length - 1].at);
  const start = end - 15 * 60_000;
  const max = Math.max(kpi.threshold, ...points.map((p) => p.value), 1e-9);
  const x = (at) => ((Date.parse(at) - start) / (end - start || 1)) * WIDTH;
  const y = (value) => HEIGHT - 2 - (value / max) * (HEIGHT - 4);
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  return svg("svg", { class: "kpi-chart", role: "img", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: "none" }, title,
    svg("line", { class: "threshold", x1: 0, x2: WIDTH, y1: y(kpi.threshold).toFixed(1), y2: y(kpi.threshold).toFixed(1) }),
    svg("path", { class: "series", d: line }));
}

function queueFacts(data) {
  if (!data.queue) return h("p", { class: "muted", id: "queue-figures" }, "This host does not count its queue (Service Bus: see its own metrics).");
  const q = data.queue;
  const fact = (label, id, value) => h("div", {}, h("dt", {}, label), h("dd", { id }, String(value)));
  return h("dl", { class: "facts", id: "queue-figures" },
    fact("Waiting", "queue-length", q.length), fact("Pending", "queue-pending", q.pending),
    fact("Dead letters", "queue-dead-letters", q.deadLetters),
    fact("Oldest message", "queue-oldest", q.oldestAgeSeconds === null ? "—" : `${q.oldestAgeSeconds.toFixed(1)} s`));
}

function failures(items) {
  if (items.length === 0) return h("p", { class: "empty", id: "failures-empty" }, "No failed deliveries kept.");
  return h("table", { id: "failures-table" },
    h("thead", {}, h("tr", {}, ["Received", "Status", "Outcome", "Reason"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((f) => h("tr", {},
      h("td", {}, h("time", { datetime: f.receivedAt }, formatDate(f.receivedAt))), h("td", {}, String(f.status)),
      h("td", {}, f.outcome), h("td", {}, f.reason ?? "")))));
}

function deadLetters(items) {
  return h("ul", { id: "dead-letter-list" }, items.map((d) => h("li", {}, `${d.failedAt} · ${d.kind}: ${d.error} (${d.deliveries} deliveries)`)));
}
