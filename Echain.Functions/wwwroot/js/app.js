// Entry point: pick the page for the current path, open the realtime connection, keep relative
// times fresh. The only timer re-renders "3 minutes ago" texts; it never fetches.
import { currentRoute } from "./config.js";
import { h, fill, setTitle } from "./dom.js";
import { refreshRelativeTimes } from "./format.js";
import { createRealtime } from "./realtime.js";
import { currentSession, setupSignIn } from "./signin.js";
import { showEvents } from "./pages/events.js";
import { showEvent } from "./pages/event.js";
import { showWallet } from "./pages/wallet.js";
import { showAdmin } from "./pages/admin.js";

const main = document.getElementById("main");
// A tab that signed in before (sessionStorage) connects as its wallet straight away.
const realtime = createRealtime(document.getElementById("connection"), currentSession()?.accessToken ?? "");
setupSignIn(document.getElementById("signin"), realtime);
const route = currentRoute();

switch (route.name) {
  case "events":
    showEvents(main, realtime);
    break;
  case "event":
    showEvent(main, realtime, route.params.eventId);
    break;
  case "wallet":
    showWallet(main, realtime, route.params.address);
    break;
  case "admin":
    showAdmin(main);
    break;
  default:
    setTitle("Not found");
    fill(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "./" }, "All events")));
}

setInterval(() => refreshRelativeTimes(), 15_000);
