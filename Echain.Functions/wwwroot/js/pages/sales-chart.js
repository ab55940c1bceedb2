// The event's analytics (GET /api/events/{id}/analytics): the figures as text and sales per hour as an inline SVG bar
// chart (no library). The chart is one image with a title and a description that say what it shows; the text beside it
// and the table of the hours with sales carry every figure, so nothing depends on seeing the bars.
import { h, fill } from "../dom.js";
import { formatDate, formatUsdc } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 336; // 2 units per hourly bar (168 bars)
const HEIGHT = 80;

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

export function renderAnalytics(container, analytics) {
  const hours = analytics.salesPerHour;
  const inWindow = hours.reduce((sum, hour) => sum + Number(hour.tickets), 0);
  const revenueInWindow = hours.reduce((sum, hour) => sum + BigInt(hour.revenue), 0n).toString();
  const busiest = hours.reduce((best, hour) => (Number(hour.tickets) > Number(best?.tickets ?? 0) ? hour : best), null);
  const percent = `${(analytics.checkInRate * 100).toFixed(2).replace(/\.?0+$/, "")}%`;
  const summary = `${inWindow} ${inWindow === 1 ? "ticket" : "tickets"} sold in the last 7 days (${formatUsdc(revenueInWindow)})` +
    (busiest ? `; busiest hour ${formatDate(busiest.hour)} with ${busiest.tickets}.` : ".");

  fill(container,
    h("dl", { class: "facts", id: "analytics-figures" },
      fact("Sold", "analytics-sold", String(analytics.ticketsSold)),
      fact("Revenue", "analytics-revenue", formatUsdc(analytics.revenue)),
      fact("Resales", "analytics-resales", String(analytics.resales)),
      fact("Holders", "analytics-holders", String(analytics.uniqueHolders)),
      fact("Checked in", "analytics-checkins", `${analytics.checkIns} (${percent})`)),
    h("figure", { class: "sales-chart" },
      chart(hours, summary),
      h("div", { class: "chart-axis", "aria-hidden": "true" }, h("span", {}, "7 days ago"), h("span", {}, "this hour")),
      h("figcaption", { id: "sales-chart-summary" },
        h("span", { id: "sales-chart-total" }, String(inWindow)), summary.slice(String(inWindow).length))),
    salesTable(hours));
}

function fact(label, id, value) {
  return h("div", {}, h("dt", {}, label), h("dd", { id }, value));
}

function chart(hours, summary) {
  const max = Math.max(1, ...hours.map((hour) => Number(hour.tickets)));
  const barWidth = WIDTH / hours.length;
  const bars = hours.map((hour, index) => {
    const tickets = Number(hour.tickets);
    if (tickets === 0) return null;
    const height = Math.max(2, (tickets / max) * (HEIGHT - 4));
    return svg("rect", {
      class: "bar", x: (index * barWidth).toFixed(2), y: (HEIGHT - height).toFixed(2),
      width: Math.max(1, barWidth - 0.4).toFixed(2), height: height.toFixed(2), "data-hour": hour.hour, "data-tickets": tickets,
    }, svg("title", {}, `${formatDate(hour.hour)}: ${tickets} sold`));
  });
  // Strings are appended as text nodes: nothing from the API becomes markup.
  const title = svg("title", { id: "sales-chart-title" }, "Tickets sold per hour, last 7 days");
  const desc = svg("desc", { id: "sales-chart-desc" }, summary);
  return svg("svg", {
    id: "sales-chart", role: "img", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: "none",
    "aria-labelledby": "sales-chart-title sales-chart-desc", focusable: "false",
  }, title, desc, svg("line", { class: "axis", x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5 }), ...bars);
}

function salesTable(hours) {
  const sold = hours.filter((hour) => Number(hour.tickets) > 0).reverse(); // newest first
  if (sold.length === 0) return h("p", { class: "empty", id: "sales-table-empty" }, "No sales in the last 7 days.");
  return h("details", { class: "sales-hours" },
    h("summary", {}, `Hours with sales (${sold.length})`),
    h("table", { id: "sales-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Hour (starting)"), h("th", { scope: "col" }, "Tickets"),
        h("th", { scope: "col" }, "Revenue"))),
      h("tbody", {}, sold.map((hour) => h("tr", { "data-hour": hour.hour },
        h("th", { scope: "row" }, h("time", { datetime: hour.hour }, formatDate(hour.hour))),
        h("td", {}, String(hour.tickets)), h("td", {}, formatUsdc(hour.revenue)))))));
}
