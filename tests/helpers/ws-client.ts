import WebSocket from "ws";

/** A WebSocket client for the server tests: `ask` sends one message and awaits the next answer. */
export async function connectWs(url: string) {
  const socket = new WebSocket(url);
  const queue: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  socket.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  await new Promise((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
  const next = () => new Promise<any>((resolve) => (queue.length ? resolve(queue.shift()) : waiters.push(resolve)));
  const closed = new Promise<{ code: number }>((resolve) => socket.once("close", (code) => resolve({ code })));
  return { socket, next, closed, ask: (msg: unknown) => { socket.send(typeof msg === "string" ? msg : JSON.stringify(msg)); return next(); } };
}

/** The HTTP status an upgrade to `url` gets: 101 when the WebSocket opens, else the refusal's. */
export function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise<number>((resolve) => {
    const socket = new WebSocket(url, options);
    socket.on("unexpected-response", (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    socket.on("open", () => {
      resolve(101);
      socket.close();
    });
    socket.on("error", () => {});
  });
}
