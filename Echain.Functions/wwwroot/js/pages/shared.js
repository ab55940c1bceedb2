import { h } from "../dom.js";
import { pageHref } from "../config.js";
import { shortAddress } from "../format.js";

export function walletLink(address) {
  return h("a", { href: pageHref(`wallets/${address}`), class: "address", title: address }, shortAddress(address));
}

export function eventLink(eventId, title) {
  return h("a", { href: pageHref(`events/${encodeURIComponent(eventId)}`) }, title || `Event #${eventId}`);
}

export function errorNotice(error) {
  const text = error?.status === 404 ? "Not found." : error?.message || "Something went wrong.";
  return h("p", { class: "notice error", role: "alert" }, text);
}

export function section(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": `${id}-heading` },
    h("h2", { id: `${id}-heading` }, title), ...children);
}
