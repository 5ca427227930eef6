import { resolve } from "node:path";
import type { Env } from "./env.ts";

/**
 * How to start this same program again: the binary itself when compiled (its absolute path,
 * never npx), else the runtime plus the entry script. The supervisor starts its worker with it,
 * and install writes it into client configs.
 */
export function selfCommand(env: Env): { command: string; args: string[] } {
  if (env.isCompiled) return { command: env.execPath, args: [] };
  const script = resolve(env.cwd, env.entryScript ?? "bin/orchestrator.ts");
  return { command: env.execPath, args: env.runtime === "deno" ? ["run", "-A", script] : [script] };
}
