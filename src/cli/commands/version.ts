import type { CAC } from "cac";
import { BUILD_INFO } from "../../build-info.ts";
import type { Env } from "../../platform/env.ts";
import type { Output } from "../output.ts";

/** `orchestrator version [--json]`: version, commit, build target and runtime. */
export function registerVersionCommand(cli: CAC, env: Env, io: Output): void {
  cli
    .command("version", "Show the version, build target and runtime")
    .option("--json", "Print as JSON")
    .action((opts: { json?: boolean }) => {
      const info = {
        version: BUILD_INFO.version,
        commit: BUILD_INFO.commit,
        target: BUILD_INFO.target,
        runtime: env.runtime,
        runtime_version: env.runtimeVersion,
        compiled: env.isCompiled,
        path: env.isCompiled ? env.execPath : (env.entryScript ?? env.execPath),
      };
      if (opts.json) io.out(JSON.stringify(info, null, 2));
      else {
        io.out(
          `orchestrator ${info.version} (${info.commit}) · target ${info.target} · ${info.runtime} ${info.runtime_version}${info.compiled ? " · compiled" : ""}\n${info.path}`,
        );
      }
    });
}
