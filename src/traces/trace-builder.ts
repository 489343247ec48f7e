import { KvsimInputError } from "../errors.js";
import type { Trace } from "./trace.js";

/**
 * Accumulates page accesses from a line-oriented file: maps page ids to dense indices in order of
 * first appearance, grows the access array geometrically, and checks that a page's size never
 * changes. Errors name the file and line.
 */
export class TraceBuilder {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly sizes: number[] = [];
  private readonly sizeLine: number[] = [];
  private accesses = new Int32Array(1024);
  private length = 0;
  private sizeKind: "bytes" | "scalars" | undefined;

  constructor(private readonly file: string) {}

  add(pageId: string, line: number, size?: { kind: "bytes" | "scalars"; value: number }): void {
    let page = this.index.get(pageId);
    if (page === undefined) {
      page = this.ids.length;
      if (page >= 0x7fffffff) throw new KvsimInputError(`${this.file}:${line}: too many distinct pages`);
      this.index.set(pageId, page);
      this.ids.push(pageId);
      this.sizes.push(0);
      this.sizeLine.push(0);
    }
    if (size) {
      if (!Number.isInteger(size.value) || size.value < 1 || size.value > 0x7fffffff) {
        throw new KvsimInputError(`${this.file}:${line}: ${size.kind} must be a positive integer, got ${size.value}`);
      }
      if (this.sizeKind && this.sizeKind !== size.kind) {
        throw new KvsimInputError(`${this.file}:${line}: mixes "bytes" and "scalars"; use one of them`);
      }
      this.sizeKind = size.kind;
      const known = this.sizes[page]!;
      if (known === 0) {
        this.sizes[page] = size.value;
        this.sizeLine[page] = line;
      } else if (known !== size.value) {
        throw new KvsimInputError(
          `${this.file}:${line}: page "${pageId}" has ${size.kind} ${size.value} but line ${this.sizeLine[page]} gave ${known}`);
      }
    }
    if (this.length === this.accesses.length) {
      const grown = new Int32Array(this.accesses.length * 2);
      grown.set(this.accesses);
      this.accesses = grown;
    }
    this.accesses[this.length++] = page;
  }

  build(name: string): Trace {
    if (this.ids.length === 0) throw new KvsimInputError(`${this.file}: the trace has no accesses`);
    const trace: Trace = { name, numPages: this.ids.length, accesses: this.accesses.slice(0, this.length), pageIds: this.ids };
    if (this.sizeKind) {
      const missing = this.sizes.indexOf(0);
      if (missing >= 0) {
        throw new KvsimInputError(`${this.file}: page "${this.ids[missing]}" never gets ${this.sizeKind}, but other pages do`);
      }
      trace[this.sizeKind === "bytes" ? "pageBytes" : "pageScalars"] = Int32Array.from(this.sizes);
    }
    return trace;
  }
}
