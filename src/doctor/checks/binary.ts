import { realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { safeReal } from "../../platform/fs.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, ok, warn } from "../report.ts";

/** This binary: version, target, runtime, path; and which `orchestrator` a shell would run. */
export function checkBinary(ctx: DoctorContext): Finding[] {
  const { env } = ctx;
  const self = ctx.self.command;
  const out: Finding[] = [
    ok(
      "binary",
      "binary.self",
      "This orchestrator",
      `${ctx.version} (${ctx.target}, ${env.runtime} ${env.runtimeVersion}) at ${self}${env.isCompiled ? "" : ` running ${ctx.self.commandArgs.join(" ")} from source`}`,
    ),
  ];
  const onPath = findOnPath(
    env.vars.PATH ?? "",
    env.platform === "win32" ? ["orchestrator.exe", "orchestrator.cmd"] : ["orchestrator"],
  );
  if (!onPath) {
    out.push(
      ok(
        "binary",
        "binary.path",
        "orchestrator on PATH",
        "not on PATH (fine: clients are given the absolute path by install)",
      ),
    );
  } else if (env.isCompiled && safeReal(onPath) !== safeReal(self)) {
    out.push(
      warn(
        "binary",
        "binary.path",
        "orchestrator on PATH",
        `a shell runs ${onPath}, not this binary (${self})`,
        `Remove or update the older copy, or make sure client entries point at the one you mean ('orchestrator validate' shows them).`,
      ),
    );
  } else {
    out.push(ok("binary", "binary.path", "orchestrator on PATH", `${onPath}`));
  }
  return out;
}

export function findOnPath(path: string, names: readonly string[]): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const p = join(dir, n);
      try {
        realpathSync(p);
        return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
