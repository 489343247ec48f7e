/**
 * An error caused by the user's input (arguments, scenario, trace, parameters). The CLI prints its
 * message without a stack trace and exits with code 2; the API lets it propagate.
 */
export class KvsimInputError extends Error {
  override readonly name = "KvsimInputError";
}

/** Formats a location prefix such as `trace.csv:12: ` for input errors. */
export function at(file: string | undefined, line?: number): string {
  if (!file) return "";
  return line === undefined ? `${file}: ` : `${file}:${line}: `;
}
