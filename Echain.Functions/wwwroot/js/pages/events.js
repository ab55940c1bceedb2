// "/" — every event, newest first as the API returns them.
import { h, fill, setTitle } from "../dom.js";
import { getAllPages } from "../api.js";
import { formatDate, formatUsdc } from "../format.js";
import { createRefresher } from "../refresh.js";
import { eventLink, errorNotice } from "./shared.js";

export function showEvents(main, realtime) {
  setTitle("");
  const list = h("div", { id: "event-list", "aria-live": "polite", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading events…"));
  fill(main, h("h1", {}, "Events"), list);

  const refresh = createRefresher(async () => {
    const { items, truncated } = await getAllPages("events", { limit: 100, maxItems: 500 });
    list.removeAttribute("aria-busy");
    if (items.length === 0) {
      fill(list, h("p", { class: "empty" }, "No events yet. They appear here once created on chain."));
      return;
    }
    fill(list,
      h("ul", { class: "event-grid" }, items.map((event) =>
        h("li", { class: "card event-card" },
          h("h2", {}, eventLink(event.eventId, event.title)),
          h("p", { class: "muted" }, `${formatDate(event.startTime)} – ${formatDate(event.endTime)}`),
          h("p", {}, `${formatUsdc(event.ticketPrice)} · ${event.ticketsSold} of ${event.maxTickets} sold`)))),
      truncated ? h("p", { class: "muted" }, `Showing the first ${items.length} events.`) : null);
  }, (error) => fill(list, errorNotice(error)));

  refresh();
  realtime.onResync(refresh);
}
