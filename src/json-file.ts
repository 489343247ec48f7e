import { parse as parseTolerant, printParseErrorCode, type ParseError } from "jsonc-parser";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { KvsimInputError } from "./errors.js";
import { nodeBuiltin } from "./util/node-builtins.js";

// zod/mini ships without messages; English ones make validation errors say what is wrong.
z.config(en());

/** Line and column (1-based) of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses JSON text, turning a syntax error into an input error naming the file, line and column. */
export function parseJsonText(text: string, file: string): unknown {
  // A byte-order mark some editors write is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse does not always say where; a strict jsonc-parser pass does.
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (!first) throw new KvsimInputError(`${file}: invalid JSON`);
    const { line, column } = lineColumn(text, first.offset);
    throw new KvsimInputError(`${file}:${line}:${column}: invalid JSON (${printParseErrorCode(first.error)})`);
  }
}

/** A file's text; a missing or unreadable file is an input error naming it. */
/** What the file system's commonest refusals mean, after their codes (which users search for). */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "a directory, where a file was expected",
  EACCES: "permission denied",
  ENOTDIR: "a part of the path is not a directory",
};

/** A file system error as one line: its code and what it means. */
export function fileErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}${FILE_ERRORS[code] ? ` (${FILE_ERRORS[code]})` : ""}` : (err as Error).message;
}

export function readTextFile(file: string): string {
  try {
    return nodeBuiltin("node:fs", `reading ${file}`).readFileSync(file, "utf8");
  } catch (err) {
    throw new KvsimInputError(`cannot read ${file}: ${fileErrorText(err)}`);
  }
}

export function readJsonFile(file: string): unknown {
  return parseJsonText(readTextFile(file), file);
}

/** One zod issue as `path.to.field: message`, the root named `root`. */
export function issueText(issue: z.core.$ZodIssue, root = "(root)"): string {
  return `${issue.path.length ? issue.path.join(".") : root}: ${issue.message}`;
}

/** Validates with a zod schema; the error lists each problem as `file: path.to.field: message`. */
export function validate<S extends z.ZodMiniType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new KvsimInputError(result.error.issues.map((issue) => `${source}: ${issueText(issue)}`).join("\n"));
}
