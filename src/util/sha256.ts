/**
 * SHA-256 of the concatenated parts, as hex. Web Crypto is the one implementation Node 20 and
 * browsers share, so a sweep's spec hash is the same wherever it is planned.
 */
export async function sha256Hex(parts: readonly (string | Uint8Array)[]): Promise<string> {
  const encoder = new TextEncoder();
  const bytes = parts.map((p) => (typeof p === "string" ? encoder.encode(p) : p));
  const joined = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bytes) {
    joined.set(b, at);
    at += b.byteLength;
  }
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", joined));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
