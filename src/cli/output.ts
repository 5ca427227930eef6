import pc from "picocolors";
import type { Env } from "../platform/env.ts";

/** Where a command writes; colours only on a TTY and without NO_COLOR. */
export interface Output {
  readonly color: boolean;
  out(text: string): void;
  err(text: string): void;
  readonly c: ReturnType<typeof pc.createColors>;
}

/** The real stdout/stderr writer. */
export function createOutput(env: Env, stream: { isTTY?: boolean } = process.stdout): Output {
  const color = Boolean(stream.isTTY) && env.vars.NO_COLOR === undefined && env.vars.TERM !== "dumb";
  return {
    color,
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    c: pc.createColors(color),
  };
}

/**
 * Writes lines to `stream`. A reader that has gone (`orchestrator status | head -1`: EPIPE, thrown
 * by the write or emitted later) ends the output quietly: later lines are dropped and the command
 * ends with its usual code, rather than a stack trace. Any other write failure (a full disk under
 * `> file`) is one line on stderr and exit code 1, since the output is then incomplete.
 */
function lineWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  const failed = (e: unknown): void => {
    closed = true;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EPIPE" || stream === process.stderr) return;
    process.exitCode = 1;
    process.stderr.write(`orchestrator: cannot write the output: ${(e as Error).message}\n`);
  };
  stream.on("error", failed);
  return (text) => {
    if (closed) return;
    try {
      stream.write(text.endsWith("\n") ? text : `${text}\n`);
    } catch (e) {
      failed(e);
    }
  };
}
