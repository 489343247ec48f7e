import { KvsimInputError } from "../../errors.js";

/**
 * Which columns of a CSV page trace hold what, for traces written for other tools. Without one,
 * kvsim's own layout: a header naming a `page` column (and `bytes` or `scalars`), commas.
 */
export interface CsvLayout {
  /** 0-based column of the object id. */
  idColumn: number;
  /** 0-based column of the object's size in bytes; -1 for none. */
  sizeColumn: number;
  /** The field separator, one byte. */
  delimiter: number;
  /** Whether the first record names the columns (it is then skipped). */
  header: boolean;
}

const DELIMITERS: Record<string, number> = { ",": 0x2c, "\\t": 0x09, tab: 0x09, "|": 0x7c, ":": 0x3a, ";": 0x3b };

/**
 * libCacheSim's CSV reader parameters, as `cachesim … csv … -t` takes them, e.g.
 * `"time-col=2, obj-id-col=5, obj-size-col=4, delimiter=,, has-header=true"`: columns count from
 * 1, `delimiter` is one of , \t | : ;. `time-col` and `obj-id-is-num` are accepted and
 * change nothing (kvsim replays records in file order, and maps any id to a page). `field` names
 * the option in errors.
 */
export function parseCsvLayout(text: string, field: string): CsvLayout {
  const layout: CsvLayout = { idColumn: -1, sizeColumn: -1, delimiter: 0x2c, header: true };
  // "delimiter=," is followed by the separating comma: a value is at least one character.
  const pairs = [...text.matchAll(/\s*([a-z-]+)\s*=\s*(\\t|[^,\s][^,]*|,)\s*(?:,|$)/g)];
  if (pairs.map((m) => m[0]).join("") !== text || pairs.length === 0) {
    throw new KvsimInputError(`${field}: "${text}" is not a list of key=value (e.g. "obj-id-col=2, obj-size-col=3, delimiter=,, has-header=true")`);
  }
  for (const [, key, value] of pairs) {
    const v = value!.trim();
    if (key === "obj-id-col") layout.idColumn = column(v, key, field);
    else if (key === "obj-size-col") layout.sizeColumn = column(v, key, field);
    else if (key === "time-col") column(v, key, field);
    else if (key === "delimiter") {
      if (!Object.hasOwn(DELIMITERS, v)) throw new KvsimInputError(`${field}: delimiter "${v}" is not one of ${Object.keys(DELIMITERS).map((d) => JSON.stringify(d)).join(", ")}`);
      layout.delimiter = DELIMITERS[v]!;
    } else if (key === "has-header") layout.header = boolean(v, key, field);
    else if (key === "obj-id-is-num") boolean(v, key, field);
    else throw new KvsimInputError(`${field}: unknown parameter "${key}" (time-col, obj-id-col, obj-size-col, delimiter, has-header, obj-id-is-num)`);
  }
  if (layout.idColumn < 0) throw new KvsimInputError(`${field}: needs obj-id-col, the 1-based column of the object id (e.g. "obj-id-col=2, obj-size-col=3")`);
  return layout;
}

function column(value: string, key: string, field: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new KvsimInputError(`${field}: ${key}=${value} must be a column number from 1 to 1000`);
  return n - 1;
}

function boolean(value: string, key: string, field: string): boolean {
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new KvsimInputError(`${field}: ${key}=${value} must be true or false`);
}
