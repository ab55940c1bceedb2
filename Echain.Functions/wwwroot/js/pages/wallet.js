// "/wallets/{address}" — a wallet's tickets, USDC balance and transactions. Anonymous pages get no
// per-user messages, so the page joins the groups of the events it holds tickets for and refetches
// when a message names this address. Signed in as this wallet (js/signin.js), its own messages
// (balance-updated, notification) arrive too: each is listed under "Live messages" and refetches.
import { h, fill, setTitle } from "../dom.js";
import { getJson } from "../api.js";
import { apiUrl, usdcToken } from "../config.js";
import { formatDate, formatRelative, formatUnits, formatUsdc, isZeroAddress, shortAddress } from "../format.js";
import { createRefresher } from "../refresh.js";
import { errorNotice, eventLink, section, walletLink } from "./shared.js";
import { currentSession, SIGN_IN_EVENT } from "../signin.js";

const MAX_LIVE_MESSAGES = 20;

export function showWallet(main, realtime, address) {
  setTitle(`Wallet ${shortAddress(address)}`);
  const balance = h("div", { id: "wallet-balance", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading…"));
  const tickets = h("div", { id: "wallet-tickets", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading…"));
  const transactions = h("div", { id: "wallet-transactions" }, h("p", { class: "loading" }, "Loading…"));
  const liveHint = h("p", { class: "muted", id: "wallet-messages-hint" });
  const liveList = h("ul", { class: "plain", id: "wallet-messages", "aria-live": "polite" });
  fill(main,
    h("h1", {}, "Wallet ", h("code", { class: "full-address", id: "wallet-address" }, address)),
    h("div", { class: "columns" },
      section("balance", "USDC balance", balance),
      section("wallet-tickets", "Tickets", tickets)),
    section("live-messages", "Live messages", liveHint, liveList),
    section("transactions", "Transactions", transactions));

  const showHint = (session) => {
    liveHint.textContent = session?.userId === address
      ? "Signed in as this wallet: its balance changes and notifications appear here as they happen."
      : "Sign in with this wallet to see its own balance changes and notifications as they happen.";
  };
  showHint(currentSession());
  window.addEventListener(SIGN_IN_EVENT, (event) => showHint(event.detail));
  const addLive = (kind, text) => {
    liveList.prepend(h("li", { "data-kind": kind }, h("time", { datetime: new Date().toISOString() }, new Date().toLocaleTimeString()), " ", text));
    while (liveList.children.length > MAX_LIVE_MESSAGES) liveList.lastElementChild.remove();
  };

  const refresh = createRefresher(async () => {
    const base = `users/${encodeURIComponent(address)}`;
    const [ticketList, balances, history] = await Promise.all([
      getJson(`${base}/tickets`),
      getJson(`${base}/balances`),
      getJson(`${base}/transactions`, { limit: 50 }),
    ]);
    renderBalance(balance, balances.items);
    renderTickets(tickets, ticketList.items);
    renderTransactions(transactions, history.items, Boolean(history.nextCursor), address);
    for (const ticket of ticketList.items) if (ticket.eventId) realtime.joinGroup(ticket.eventId);
  }, (error) => fill(balance, errorNotice(error)));

  const mine = (...addresses) => addresses.some((a) => typeof a === "string" && a.toLowerCase() === address);
  realtime.on("ticket-purchased", (p) => mine(p.buyer) && refresh());
  realtime.on("ticket-transferred", (p) => mine(p.from, p.to) && refresh());
  realtime.on("balance-updated", (p) => {
    if (!mine(p.userId)) return;
    const isUsdc = usdcToken && p.token?.toLowerCase() === usdcToken;
    addLive("balance-updated", `Balance now ${isUsdc ? formatUsdc(p.balance) : `${formatUnits(p.balance, 0)} units of ${shortAddress(p.token)}`}`);
    refresh();
  });
  realtime.on("notification", (p) => {
    if (!mine(p.userId)) return;
    addLive("notification", p.message);
    refresh();
  });
  realtime.onResync(refresh);
  refresh();
}

function renderBalance(container, items) {
  const usdc = usdcToken ? items.find((item) => item.token.toLowerCase() === usdcToken) : undefined;
  const others = items.filter((item) => item !== usdc);
  fill(container,
    h("p", { class: "balance", id: "usdc-balance" }, formatUsdc(usdc?.balance ?? "0")),
    others.length > 0
      ? h("ul", { class: "plain" }, others.map((item) =>
          h("li", {}, `${formatUnits(item.balance, 0)} units of `, h("code", { title: item.token }, shortAddress(item.token)))))
      : null);
}

function renderTickets(container, items) {
  if (items.length === 0) {
    fill(container, h("p", { class: "empty" }, "This wallet holds no tickets."));
    return;
  }
  fill(container, h("ul", { class: "ticket-list", id: "wallet-ticket-list" }, items.map((ticket) =>
    h("li", { "data-token-id": ticket.tokenId },
      ticketImage(ticket),
      h("strong", {}, `#${ticket.tokenId}`), " ",
      ticket.event ? eventLink(ticket.event.eventId, ticket.event.title) : ticket.eventId ? eventLink(ticket.eventId) : "Unknown event",
      ticket.event ? h("span", { class: "muted" }, ` · ${formatDate(ticket.event.startTime)}`) : null,
      ticket.ticketType ? h("span", { class: "muted" }, ` · ${ticket.ticketType}`) : null, " ",
      ticket.isUsed ? h("span", { class: "badge used" }, "Checked in") : h("span", { class: "badge valid" }, "Valid")))));
}

// The generated ticket image (what wallets show for the NFT); only once the event is known, before that it is a 404.
function ticketImage(ticket) {
  if (!ticket.event) return null;
  const state = ticket.isUsed ? "checked in" : "valid";
  return h("img", {
    class: "ticket-image",
    src: apiUrl(`tickets/${encodeURIComponent(ticket.tokenId)}/image.svg`),
    alt: `Ticket #${ticket.tokenId} for ${ticket.event.title} (${state})`,
    width: 150,
    height: 100,
    decoding: "async",
  });
}

const KIND_LABELS = {
  erc721_transfer: "Ticket transfer",
  erc20_transfer: "Token transfer",
};

function describe(tx, address) {
  if (tx.tokenId !== undefined && tx.tokenId !== null) {
    if (isZeroAddress(tx.from)) return [`Ticket #${tx.tokenId} minted`];
    return [`Ticket #${tx.tokenId}`];
  }
  if (tx.value !== undefined && tx.value !== null) {
    const isUsdc = usdcToken && tx.contract.toLowerCase() === usdcToken;
    const sign = tx.from === address ? "−" : "+";
    return [`${sign}${isUsdc ? formatUsdc(tx.value) : formatUnits(tx.value, 0)}`];
  }
  return [tx.kind];
}

function renderTransactions(container, items, more, address) {
  if (items.length === 0) {
    fill(container, h("p", { class: "empty" }, "No transactions yet."));
    return;
  }
  fill(container,
    h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Transactions table" },
      h("table", { id: "transactions-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Kind"), h("th", { scope: "col" }, "What"),
          h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "To"), h("th", { scope: "col" }, "Tx"))),
        h("tbody", {}, items.map((tx) =>
          h("tr", { "data-kind": tx.kind },
            h("td", {}, tx.blockTime
              ? h("time", { datetime: tx.blockTime, "data-relative": "", title: formatDate(tx.blockTime) }, formatRelative(tx.blockTime))
              : `block ${tx.blockNumber}`),
            h("td", {}, KIND_LABELS[tx.kind] ?? tx.kind),
            h("td", {}, describe(tx, address), tx.eventId ? [" · ", eventLink(tx.eventId)] : null),
            h("td", {}, tx.from === address ? "this wallet" : walletLink(tx.from)),
            h("td", {}, tx.to === address ? "this wallet" : walletLink(tx.to)),
            h("td", {}, h("code", { title: tx.txHash }, shortAddress(tx.txHash)))))))),
    more ? h("p", { class: "muted" }, `Showing the latest ${items.length} transactions.`) : null);
}
