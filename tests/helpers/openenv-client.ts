import WebSocket from "ws";

// OpenEnv's own client (meta-pytorch/OpenEnv at 685de411, openenv-core 0.2.3), message for message:
// EnvClient in src/openenv/core/env_client.py with GenericEnvClient's payloads
// (src/openenv/core/generic_client.py). Each method cites the lines it follows.

/** Python's json.dumps with its default separators (", " and ": "), as env_client.py:216 sends. */
export const pythonJson = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(pythonJson).join(", ")}]`
    : v !== null && typeof v === "object" ? `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`).join(", ")}}`
    : JSON.stringify(v);

/** convert_to_ws_url (src/openenv/core/utils.py:42-59) and the `/ws` EnvClient appends (env_client.py:130-132). */
export function openenvWsUrl(baseUrl: string): string {
  let url = baseUrl.replace(/\/+$/, "");
  if (url.startsWith("http://")) url = "ws://" + url.slice(7);
  else if (url.startsWith("https://")) url = "wss://" + url.slice(8);
  else if (!url.startsWith("ws://") && !url.startsWith("wss://")) url = "ws://" + url;
  return `${url}/ws`;
}

export interface StepResult {
  observation: Record<string, unknown>;
  reward: number | null;
  done: boolean;
}

export class OpenEnvClient {
  /** Every text frame sent, as sent, and every answer, parsed. */
  readonly sent: string[] = [];
  readonly received: Record<string, any>[] = [];
  private socket: WebSocket | undefined;
  private readonly inbox: string[] = [];
  private readonly waiting: ((raw: string) => void)[] = [];

  constructor(readonly baseUrl: string) {}

  /** env_client.py:147-191: one connection per client, opened on first use. */
  async connect(): Promise<void> {
    if (this.socket) return;
    const socket = new WebSocket(openenvWsUrl(this.baseUrl));
    socket.on("message", (data) => {
      const w = this.waiting.shift();
      if (w) w(data.toString());
      else this.inbox.push(data.toString());
    });
    await new Promise((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
    this.socket = socket;
  }

  private async send(message: object): Promise<void> {
    await this.connect();
    const text = pythonJson(message);
    this.sent.push(text);
    this.socket!.send(text);
  }

  private receive(): Promise<Record<string, any>> {
    return new Promise((resolve) => {
      const take = (raw: string) => {
        const message = JSON.parse(raw) as Record<string, any>;
        this.received.push(message);
        resolve(message);
      };
      if (this.inbox.length) take(this.inbox.shift()!);
      else this.waiting.push(take);
    });
  }

  /** env_client.py:224-237: an answer of type "error" raises RuntimeError with its data's message and code. */
  private async sendAndReceive(message: object): Promise<Record<string, any>> {
    await this.send(message);
    const response = await this.receive();
    if (response["type"] === "error") {
      const data = response["data"] ?? {};
      throw new Error(`Server error: ${data.message ?? "Unknown error"} (code: ${data.code ?? "UNKNOWN"})`);
    }
    return response;
  }

  /** GenericEnvClient._parse_result (generic_client.py:89-106). */
  private static parseResult(payload: Record<string, any>): StepResult {
    return { observation: payload["observation"] ?? {}, reward: payload["reward"] ?? null, done: payload["done"] ?? false };
  }

  /** env_client.py:372-390: `{"type": "reset", "data": kwargs}`, the answer's `data` parsed. */
  async reset(kwargs: Record<string, unknown> = {}): Promise<StepResult> {
    const response = await this.sendAndReceive({ type: "reset", data: kwargs });
    return OpenEnvClient.parseResult(response["data"] ?? {});
  }

  /** env_client.py:392-408 with GenericEnvClient._step_payload (generic_client.py:60-76: a dict goes as it is). */
  async step(action: Record<string, unknown>): Promise<StepResult> {
    const response = await this.sendAndReceive({ type: "step", data: action });
    return OpenEnvClient.parseResult(response["data"] ?? {});
  }

  /** env_client.py:410-419: `{"type": "state"}`; GenericEnvClient._parse_state returns the data as it is (generic_client.py:108-121). */
  async state(): Promise<Record<string, any>> {
    const response = await this.sendAndReceive({ type: "state" });
    return response["data"] ?? {};
  }

  /** env_client.py:193-205: sends `{"type": "close"}`, then closes the connection without reading an answer. */
  async close(): Promise<void> {
    if (!this.socket) return;
    await this.send({ type: "close" });
    const closed = new Promise((resolve) => this.socket!.once("close", resolve));
    this.socket.close();
    await closed;
    this.socket = undefined;
  }
}
