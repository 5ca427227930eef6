import { ERROR_CATALOGUE, type ErrorCode } from "../core/errors.ts";

/** Exit codes of every command: 0 ok, 1 a check or operation failed, 2 usage error. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code an error code maps to (from the catalogue). */
export function exitCodeFor(code: ErrorCode): ExitCode {
  return ERROR_CATALOGUE[code].exit;
}
