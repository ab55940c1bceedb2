// The peer the fan-out scenario compares Echain with: a minimal Socket.IO 4.8 server as the original design
// wrote its realtime server. Clients join rooms `event-{id}` with `join-event`; POST /emit {room, event, data}
// broadcasts to a room. No queue, no database: the bare broadcast is the baseline.
//
// usage: node socketio-server.mjs PORT    (prints one line `{"ready":PORT,"pid":…}` once listening)
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node socketio-server.mjs PORT");
  process.exit(2);
}

const http = createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/emit") {
    response.writeHead(404).end();
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
      response.writeHead(400, { "content-type": "text/plain" }).end(`invalid JSON: ${error.message}`);
      return;
    }
    if (typeof body.room !== "string" || typeof body.event !== "string") {
      response.writeHead(400, { "content-type": "text/plain" }).end("room and event are required");
      return;
    }
    io.to(body.room).emit(body.event, body.data);
    response.writeHead(204).end();
  });
});

// Large rooms at high rates: the default per-message deflate would measure zlib, and Echain does not compress either.
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, serveClient: false });
io.on("connection", (socket) => {
  socket.on("join-event", (eventId, ack) => {
    socket.join(`event-${eventId}`);
    if (typeof ack === "function") ack({ joined: `event-${eventId}` });
  });
});

http.listen(port, "127.0.0.1", () => console.log(JSON.stringify({ ready: port, pid: process.pid })));
// The driver ends this process; stdin closing (the driver died) ends it too, so no server is left behind.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
