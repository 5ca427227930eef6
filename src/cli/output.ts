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
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
    c: pc.createColors(color),
  };
}
