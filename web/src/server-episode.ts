type Reply = { type: string; observation?: number[]; reward?: number; terminated?: boolean; truncated?: boolean; info?: Record<string, unknown>; detail?: string };

/**
 * An episode played on the kvsim server over its WebSocket session endpoint
 * (`/envs/{namespace}/{name}/ws`, docs/server.md); the page's agent picks every action.
 */
export class ServerEpisode {
  private waiting: ((reply: Reply) => void) | undefined;

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
      waiting?.(JSON.parse(String(event.data)) as Reply);
    };
    const reply = await episode.request({ type: "reset", seed });
    episode.observation = reply.observation!;
    return episode;
  }

  private request(message: object): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting = (reply) => (reply.type === "error" ? reject(new Error(`server: ${reply.detail}`)) : resolve(reply));
      this.socket.send(JSON.stringify(message));
    });
  }

  async step(action: number) {
    const r = await this.request({ type: "step", action });
    return { observation: r.observation!, reward: r.reward!, terminated: r.terminated!, truncated: r.truncated!, info: r.info ?? {} };
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: "close" }));
    this.socket.close();
  }
}
