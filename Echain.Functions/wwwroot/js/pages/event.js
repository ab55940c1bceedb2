// "/events/{eventId}" — the event, its sales, its tickets and a live activity feed.
// A realtime message for this event invalidates what is shown and refetches it (If-None-Match);
// the feed is what changed between two fetches, so it also tells what happened while offline.
import { h, fill, setTitle } from "../dom.js";
import { getJson, getAllPages } from "../api.js";
import { formatDate, formatRelative, formatUsdc, isZeroAddress } from "../format.js";
import { createRefresher } from "../refresh.js";
import { errorNotice, section, walletLink } from "./shared.js";

const FEED_LIMIT = 50;
const EVENT_FIELDS = ["title", "description", "startTime", "endTime", "ticketPrice", "maxTickets"];

export function showEvent(main, realtime, eventId) {
  const summary = h("div", { id: "event-summary", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading event…"));
  const tickets = h("div", { id: "ticket-list" });
  const feed = h("ol", { id: "activity-feed", class: "feed", "aria-live": "polite", "aria-relevant": "additions" });
  const feedEmpty = h("p", { id: "activity-empty", class: "empty" }, "Nothing yet. Purchases, transfers and check-ins appear here as they happen.");
  fill(main,
    summary,
    h("div", { class: "columns" },
      section("tickets", "Tickets", tickets),
      section("activity", "Live activity", feedEmpty, feed)));

  let shown = null; // { event, tickets: Map(tokenId -> ticket) } last rendered
  let catchUp = false;

  const addFeed = (entries) => {
    if (entries.length === 0) return;
    feedEmpty.hidden = true;
    for (const entry of entries) feed.prepend(feedItem(entry, catchUp));
    while (feed.children.length > FEED_LIMIT) feed.lastElementChild.remove();
  };

  const refresh = createRefresher(async () => {
    const [event, page] = await Promise.all([
      getJson(`events/${encodeURIComponent(eventId)}`),
      getAllPages(`events/${encodeURIComponent(eventId)}/tickets`, { limit: 200, maxItems: 1000 }),
    ]);
    const byId = new Map(page.items.map((ticket) => [ticket.tokenId, ticket]));
    if (shown) addFeed(changes(shown, event, byId));
    shown = { event, tickets: byId };
    catchUp = false;
    summary.removeAttribute("aria-busy");
    renderSummary(summary, event);
    renderTickets(tickets, page.items, page.truncated);
  }, (error) => {
    summary.removeAttribute("aria-busy");
    if (error?.status === 404) {
      setTitle("Event not found");
      fill(summary, h("h1", {}, "Event not found"),
        h("p", { class: "notice" }, `Event #${eventId} is not known yet. This page updates when it is created.`));
    } else {
      fill(summary, h("h1", {}, `Event #${eventId}`), errorNotice(error));
    }
  });

  const concernsThisEvent = (payload) => payload.eventId === undefined || payload.eventId === null || String(payload.eventId) === eventId;
  for (const target of ["ticket-purchased", "ticket-transferred", "event-updated"]) {
    realtime.on(target, (payload) => {
      if (concernsThisEvent(payload)) refresh();
    });
  }
  realtime.joinGroup(eventId);
  realtime.onResync((reason) => {
    catchUp = reason === "reconnected";
    refresh();
  });
  refresh();
}

function renderSummary(summary, event) {
  setTitle(event.title);
  const max = Number(event.maxTickets);
  const sold = Number(event.ticketsSold);
  const percent = max > 0 ? Math.min(100, Math.round((sold / max) * 100)) : 0;
  fill(summary,
    h("h1", { id: "event-title" }, event.title || `Event #${event.eventId}`),
    event.description ? h("p", { class: "description" }, event.description) : null,
    h("dl", { class: "facts" },
      h("div", {}, h("dt", {}, "Starts"), h("dd", {}, h("time", { datetime: event.startTime }, formatDate(event.startTime)))),
      h("div", {}, h("dt", {}, "Ends"), h("dd", {}, h("time", { datetime: event.endTime }, formatDate(event.endTime)))),
      h("div", {}, h("dt", {}, "Price"), h("dd", { id: "ticket-price" }, formatUsdc(event.ticketPrice))),
      h("div", {}, h("dt", {}, "Organizer"), h("dd", {}, walletLink(event.creator)))),
    h("div", { class: "sales" },
      h("p", { id: "sales-label", class: "sales-label" },
        h("span", { id: "sold-count" }, String(event.ticketsSold)), " of ",
        h("span", { id: "max-tickets" }, String(event.maxTickets)), " sold · ",
        h("span", { id: "available-count" }, String(event.available)), " available"),
      h("progress", {
        id: "sales-progress", max: max > 0 ? String(max) : "1", value: String(max > 0 ? Math.min(sold, max) : 0),
        "aria-labelledby": "sales-label", "aria-valuetext": `${percent}% sold`,
      }, `${percent}%`)));
}

function renderTickets(container, items, truncated) {
  if (items.length === 0) {
    fill(container, h("p", { class: "empty" }, "No tickets sold yet."));
    return;
  }
  fill(container,
    h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Tickets table" },
      h("table", { id: "tickets-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Ticket"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Price"),
          h("th", { scope: "col" }, "Owner"), h("th", { scope: "col" }, "Status"))),
        h("tbody", {}, items.map((ticket) =>
          h("tr", { "data-token-id": ticket.tokenId },
            h("th", { scope: "row" }, `#${ticket.tokenId}`),
            h("td", {}, ticket.ticketType || "—"),
            h("td", {}, ticket.price ? formatUsdc(ticket.price) : "—"),
            h("td", { class: "owner" }, walletLink(ticket.owner)),
            h("td", {}, ticket.isUsed
              ? h("span", { class: "badge used" }, "Checked in")
              : h("span", { class: "badge valid" }, "Valid"))))))),
    truncated ? h("p", { class: "muted" }, `Showing the first ${items.length} tickets.`) : null);
}

/** What changed between the last render and this fetch, oldest first. */
function changes(before, event, tickets) {
  const entries = [];
  for (const [tokenId, ticket] of tickets) {
    const previous = before.tickets.get(tokenId);
    if (!previous) {
      entries.push({ kind: "purchase", label: "Purchase", parts: [`Ticket #${tokenId} bought by `, walletLink(ticket.owner)] });
    } else if (previous.owner !== ticket.owner) {
      entries.push({
        kind: "transfer", label: "Transfer",
        parts: isZeroAddress(previous.owner)
          ? [`Ticket #${tokenId} minted to `, walletLink(ticket.owner)]
          : [`Ticket #${tokenId} moved from `, walletLink(previous.owner), " to ", walletLink(ticket.owner)],
      });
    }
    if (ticket.isUsed && !previous?.isUsed) {
      entries.push({ kind: "checkin", label: "Check-in", parts: [`Ticket #${tokenId} checked in`] });
    }
  }
  const soldBefore = Number(before.event.ticketsSold);
  const newTickets = [...tickets.keys()].filter((id) => !before.tickets.has(id)).length;
  const unseen = Number(event.ticketsSold) - soldBefore - newTickets;
  if (unseen > 0) entries.push({ kind: "purchase", label: "Purchase", parts: [`${unseen} more ticket${unseen === 1 ? "" : "s"} sold`] });
  const edited = EVENT_FIELDS.filter((field) => before.event[field] !== event[field]);
  if (edited.length > 0) entries.push({ kind: "update", label: "Update", parts: [`Event details changed: ${edited.join(", ")}`] });
  return entries;
}

function feedItem(entry, whileOffline) {
  const at = new Date().toISOString();
  return h("li", { class: `feed-item kind-${entry.kind}`, "data-kind": entry.kind },
    h("span", { class: "badge" }, entry.label),
    h("span", { class: "feed-text" }, ...entry.parts, whileOffline ? " (while you were offline)" : ""),
    h("time", { datetime: at, "data-relative": "" }, formatRelative(at)));
}
