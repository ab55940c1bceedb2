// "/events/{eventId}" — the event, its sales, its tickets, a live activity feed and its analytics (sales per hour).
// A realtime message for this event invalidates what is shown and refetches it (If-None-Match);
// the feed is the event's activity history from the API (latest FEED_LIMIT entries, block times),
// loaded with the page, after every realtime message (also those resumed after a reconnect) and when
// the missed ones can no longer be resumed. Entries that first appear on a refetch caused by what
// happened while offline are marked so.
import { h, fill, setTitle } from "../dom.js";
import { getJson, getAllPages } from "../api.js";
import { formatDate, formatRelative, formatUsdc } from "../format.js";
import { createRefresher } from "../refresh.js";
import { errorNotice, section, walletLink } from "./shared.js";
import { renderAnalytics } from "./sales-chart.js";

const FEED_LIMIT = 20;

export function showEvent(main, realtime, eventId) {
  const summary = h("div", { id: "event-summary", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading event…"));
  const tickets = h("div", { id: "ticket-list" });
  const analytics = h("div", { id: "event-analytics" });
  // Busy until the history is in: the live region announces what happens next, not the backlog.
  const feed = h("ol", { id: "activity-feed", class: "feed", "aria-live": "polite", "aria-relevant": "additions", "aria-busy": "true" });
  const feedEmpty = h("p", { id: "activity-empty", class: "empty" }, "Nothing yet. Purchases, transfers and check-ins appear here as they happen.");
  fill(main,
    summary,
    h("div", { class: "columns" },
      section("tickets", "Tickets", tickets),
      section("activity", "Live activity", feedEmpty, feed)),
    section("analytics", "Sales per hour", analytics));

  const shownEntries = new Map(); // activity key -> <li>, in feed order
  let loaded = false; // the feed has been rendered once
  let catchUp = false; // the next fetch follows a reconnect

  const renderFeed = (entries, markOffline) => {
    const keys = new Set(entries.map(activityKey));
    for (const [key, item] of shownEntries) {
      if (!keys.has(key)) {
        item.remove();
        shownEntries.delete(key);
      }
    }
    // Both lists are newest first: insert each new entry right after the last entry already shown
    // before it, so existing items stay in place and only additions reach the live region.
    let anchor = feed.firstElementChild;
    for (const entry of entries) {
      const key = activityKey(entry);
      const existing = shownEntries.get(key);
      if (existing) {
        anchor = existing.nextElementSibling;
        continue;
      }
      const item = feedItem(entry, markOffline);
      feed.insertBefore(item, anchor);
      shownEntries.set(key, item);
    }
    feedEmpty.hidden = entries.length > 0;
  };

  const refresh = createRefresher(async () => {
    const markOffline = catchUp && loaded;
    const [event, page, activity, figures] = await Promise.all([
      getJson(`events/${encodeURIComponent(eventId)}`),
      getAllPages(`events/${encodeURIComponent(eventId)}/tickets`, { limit: 200, maxItems: 1000 }),
      getJson(`events/${encodeURIComponent(eventId)}/activity`, { limit: FEED_LIMIT }),
      getJson(`events/${encodeURIComponent(eventId)}/analytics`),
    ]);
    summary.removeAttribute("aria-busy");
    renderSummary(summary, event);
    renderTickets(tickets, page.items, page.truncated);
    renderFeed(activity.items, markOffline);
    renderAnalytics(analytics, figures);
    if (markOffline) catchUp = false; // only a refresh that landed has caught up
    loaded = true;
    feed.setAttribute("aria-busy", "false");
  }, (error) => {
    summary.removeAttribute("aria-busy");
    if (loaded && error?.status !== 404) {
      // The server went away mid-refresh: the last known state beats a blank page. The next message or
      // reconnect refetches, and a successful render replaces the summary, notice included.
      summary.querySelector("#refresh-error")?.remove();
      summary.append(h("p", { id: "refresh-error", class: "notice error", role: "alert" },
        `Could not refresh (${error?.message || "no answer"}); showing the last known state.`));
      return;
    }
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
    realtime.on(target, (payload, meta) => {
      if (!concernsThisEvent(payload)) return;
      if (meta?.resumed) catchUp = true; // it happened while the page was offline: mark what the refetch adds
      refresh();
    });
  }
  realtime.joinGroup(eventId);
  realtime.onResync((reason) => {
    if (reason === "gone") catchUp = true; // missed messages could not be resumed: mark what the refetch adds
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

const activityKey = (entry) => `${entry.txHash}:${entry.logIndex}`;

const FEED_KINDS = {
  purchase: { kind: "purchase", label: "Purchase" },
  mint: { kind: "mint", label: "Mint" },
  transfer: { kind: "transfer", label: "Transfer" },
  burn: { kind: "burn", label: "Burn" },
  "check-in": { kind: "checkin", label: "Check-in" },
};

function feedText(entry) {
  const ticket = `Ticket #${entry.tokenId}`;
  switch (entry.kind) {
    case "purchase":
      return [`${ticket} bought by `, walletLink(entry.buyer), entry.price ? ` for ${formatUsdc(entry.price)}` : ""];
    case "mint":
      return [`${ticket} minted to `, walletLink(entry.to)];
    case "transfer":
      return [`${ticket} moved from `, walletLink(entry.from), " to ", walletLink(entry.to)];
    case "burn":
      return [`${ticket} burned by `, walletLink(entry.from)];
    case "check-in":
      return [`${ticket} checked in`];
    default:
      return [`${ticket}: ${entry.kind}`];
  }
}

function feedItem(entry, whileOffline) {
  const { kind, label } = FEED_KINDS[entry.kind] ?? { kind: entry.kind, label: entry.kind };
  // The block's time; a block stamped ahead of this device's clock reads "just now", not "in 5 seconds".
  const time = entry.blockTime
    ? h("time", { datetime: entry.blockTime, "data-relative": "past", title: formatDate(entry.blockTime) },
      formatRelative(entry.blockTime, Date.now(), { past: true }))
    : null;
  return h("li", { class: `feed-item kind-${kind}`, "data-kind": kind, "data-tx": entry.txHash, "data-log-index": String(entry.logIndex) },
    h("span", { class: "badge" }, label),
    h("span", { class: "feed-text" }, ...feedText(entry), whileOffline ? " (while you were offline)" : ""),
    time);
}
