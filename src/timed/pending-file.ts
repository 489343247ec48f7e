import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";

/** A text file written in pieces to a temporary sibling, renamed into place only when complete. */
export class PendingFile {
  private readonly fd: number;
  private readonly tmp: string;
  private buffer: string[] = [];
  private size = 0;

  /** A file of `text` (one trailing newline at most, as it would end anyway), pending until committed. */
  static of(path: string, text: string): PendingFile {
    const file = new PendingFile(path);
    file.line(text.endsWith("\n") ? text.slice(0, -1) : text);
    return file;
  }

  constructor(readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
    // Readable too: a part of a larger file is read back into it (`moveInto`).
    this.fd = openSync(this.tmp, "w+");
  }

  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join("\n")}\n`);
    this.buffer = [];
    this.size = 0;
  }

  /** Appends everything written here to `whole` and removes this file: a file gathered from parts, each written apart. */
  moveInto(whole: PendingFile): void {
    this.flush();
    whole.flush();
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 0, n = 0; (n = readSync(this.fd, chunk, 0, chunk.length, at)) > 0; at += n) writeSync(whole.fd, chunk, 0, n);
    this.discard();
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  discard(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}
