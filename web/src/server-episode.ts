type Reply = { type: string; observation?: number[]; reward?: number; terminated?: boolean; truncated?: boolean; info?: Record<string, unknown>; detail?: string };

/**
 * An episode played on the kvsim server over its WebSocket session endpoint
 * (`/envs/{namespace}/{name}/ws`, docs/server.md); the page's agent picks every action.
 */
export class ServerEpisode {
  private waiting: { resolve(reply: Reply): void; reject(err: Error): void } | undefined;
  private closed: string | undefined;

  private constructor(private readonly socket: WebSocket, public observation: number[]) {}

  static async open(envId: string, seed: number, origin = location.origin): Promise<ServerEpisode> {
    const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/envs/${envId}/ws`);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`cannot open a WebSocket session at ${origin} (is this page served by kvsim serve?)`));
    });
    const episode = new ServerEpisode(socket, []);
    socket.onmessage = (event) => {
      const waiting = episode.waiting;
      episode.waiting = undefined;
      const reply = JSON.parse(String(event.data)) as Reply;
      if (reply.type === "error") waiting?.reject(new Error(`server: ${reply.detail}`));
      else waiting?.resolve(reply);
    };
    // A dropped connection or an expired session must fail the step in flight, not leave it waiting.
    socket.onclose = (event) => {
      episode.closed = `the server closed the session (${event.code}${event.reason ? `: ${event.reason}` : ""})`;
      episode.waiting?.reject(new Error(episode.closed));
      episode.waiting = undefined;
    };
    const reply = await episode.request({ type: "reset", seed });
    episode.observation = reply.observation!;
    return episode;
  }

  /** One request at a time: the episode view awaits every step before the next. */
  private request(message: object): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(this.closed));
      if (this.waiting) return reject(new Error("a request to the server is still waiting for its answer"));
      this.waiting = { resolve, reject };
      this.socket.send(JSON.stringify(message));
    });
  }

  async step(action: number) {
    const r = await this.request({ type: "step", action });
    return { observation: r.observation!, reward: r.reward!, terminated: r.terminated!, truncated: r.truncated!, info: r.info ?? {} };
  }

  close(): void {
    this.closed ??= "the session was closed";
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: "close" }));
    this.socket.close();
  }
}
