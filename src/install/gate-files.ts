import { existsSync, readFileSync } from "node:fs";
import { safeReal } from "../platform/fs.ts";
import type { GateInput } from "./gates.ts";
import type { InstallEnv } from "./types.ts";

/** The gate evaluation's view of the real file system (gates.ts itself reads nothing). */
export function gateInputFor(env: InstallEnv, folder: string): GateInput {
  return {
    env,
    folder,
    read: (path) => {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
    real: safeReal,
    exists: existsSync,
  };
}
