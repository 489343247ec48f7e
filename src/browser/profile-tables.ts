import { KvsimInputError } from "../errors.js";
import { PROFILE_TABLES, parseProfileTables, tableFile, type ProfileTables } from "../timed/profile-tables.js";

async function gunzip(bytes: Uint8Array): Promise<string> {
  // A copy: a Blob takes bytes of a plain ArrayBuffer only.
  const stream = new Blob([new Uint8Array(bytes)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new TextDecoder("latin1").decode(await new Response(stream).arrayBuffer());
}

/**
 * Vidur-format profile tables from files a page was given (a folder picked, say), by file name:
 * each `<table>_predictions.csv.gz` (or the same without `.gz`, as text or bytes). The same
 * tables `readProfileTables(dir)` reads in Node, for the `profile` time model in the browser.
 */
export async function parseProfileTableFiles(files: Record<string, Uint8Array | string>): Promise<ProfileTables> {
  const texts = new Map<string, { text: string; file: string }>();
  for (const table of PROFILE_TABLES) {
    const gz = tableFile(table);
    const plain = gz.replace(/\.gz$/, "");
    const file = gz in files ? gz : plain in files ? plain : undefined;
    if (file === undefined) throw new KvsimInputError(`profile tables: no ${gz} (nor ${plain}) among the files given`);
    const content = files[file]!;
    const text = typeof content === "string" ? content : file === gz ? await gunzip(content) : new TextDecoder("latin1").decode(content);
    texts.set(table, { text, file });
  }
  return parseProfileTables((table) => texts.get(table)!);
}
