/** Thrown by a command that has already reported its outcome and only needs a non-zero exit code. */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
