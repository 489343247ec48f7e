import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A chat-completions request as the scripted server received it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: { model: string; messages: { role: string; content: string | null; tool_call_id?: string }[]; tools?: unknown[] };
}

export interface ScriptedReply {
  status?: number;
  /** JSON body (default: the assistant reply built by `toolCallReply`). */
  body?: unknown;
  delayMs?: number;
}

/** A chat completion whose assistant message calls the given tools (or none). */
export function toolCallReply(calls: { name: string; arguments: string }[], content: string | null = null): unknown {
  return {
    id: "chatcmpl-test", object: "chat.completion", created: 0, model: "scripted",
    choices: [{
      index: 0, finish_reason: calls.length ? "tool_calls" : "stop",
      message: { role: "assistant", content, ...(calls.length ? { tool_calls: calls.map((c, i) => ({ id: `call_${i}`, type: "function", function: c })) } : {}) },
    }],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  };
}

/** The observation JSON of the last user message of a request. */
export function lastObservation(request: ReceivedRequest): { visible_seq_ids: string[] } {
  const user = request.body.messages.filter((m) => m.role === "user").at(-1)!;
  return JSON.parse(user.content!.slice(user.content!.indexOf("\n") + 1)) as { visible_seq_ids: string[] };
}

/**
 * A real HTTP server on 127.0.0.1 speaking the chat-completions protocol with scripted replies:
 * `script` sees each request (and its index) and says what to answer.
 */
export async function startChatServer(script: (request: ReceivedRequest, index: number) => ScriptedReply) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const request = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) } as ReceivedRequest;
      const reply = script(request, requests.length);
      requests.push(request);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(reply.body ?? {}));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
