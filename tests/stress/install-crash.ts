/**
 * Crash safety of the installer: `orchestrator install` / `uninstall` are SIGKILLed at seeded
 * random moments on a large config file. After each kill the config must hold exactly the old
 * or the new bytes, and the backup manifest must parse with every recorded copy intact.
 * Used by tests/e2e/crash-safety.test.ts (fast) and scripts/stress.ts (full).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyBackups } from "../../src/install/backups.ts";
import type { InstallEnv } from "../../src/install/types.ts";
import { BINARY } from "../helpers/client.ts";
import { prng } from "../helpers/config-corpus.ts";

export interface InstallCrashReport {
  kills: number;
  sawOld: number;
  sawNew: number;
  problems: string[];
  backups: number;
}

/** A config a heavy user might have: many servers, comments, several MB. */
function bigConfig(): string {
  const servers = Array.from(
    { length: 4000 },
    (_, i) =>
      `    "server-${i}": { "command": "/usr/bin/tool-${i}", "args": ["--flag", "${"v".repeat(400)}"] }`,
  );
  return `{\n  // my servers\n  "mcpServers": {\n${servers.join(",\n")}\n  }\n}\n`;
}

export async function runInstallCrash(opts: {
  home: string;
  seed: number;
  kills: number;
}): Promise<InstallCrashReport> {
  const r = prng(opts.seed);
  const env = { HOME: opts.home, PATH: process.env.PATH ?? "", ORCHESTRATOR_HOME: join(opts.home, ".data") };
  const config = join(opts.home, ".cursor", "mcp.json");
  mkdirSync(join(opts.home, ".cursor"), { recursive: true });
  const OLD = bigConfig();
  writeFileSync(config, OLD);
  const ref = spawnSync(BINARY, ["install", "--client", "cursor"], { env, encoding: "utf8" });
  if (ref.status !== 0) throw new Error(`reference install failed: ${ref.stdout}${ref.stderr}`);
  const NEW = readFileSync(config, "utf8");
  const problems: string[] = [];
  let sawOld = 0;
  let sawNew = 0;
  for (let k = 0; k < opts.kills; k++) {
    // Start from either state, so both install and uninstall get killed.
    const installing = r() < 0.5;
    writeFileSync(config, installing ? OLD : NEW);
    const child = spawn(BINARY, [installing ? "install" : "uninstall", "--client", "cursor"], {
      env,
      stdio: "ignore",
    });
    const exited = new Promise((res) => child.once("exit", res));
    await new Promise((res) => setTimeout(res, 5 + r() * 60));
    child.kill("SIGKILL");
    await exited;
    const now = readFileSync(config, "utf8");
    if (now === OLD) sawOld++;
    else if (now === NEW) sawNew++;
    else problems.push(`kill ${k}: the config is neither the old nor the new bytes (${now.length} bytes)`);
  }
  const ienv: InstallEnv = {
    platform: "linux",
    homedir: opts.home,
    vars: { ORCHESTRATOR_HOME: env.ORCHESTRATOR_HOME },
  };
  let backups = 0;
  try {
    const checks = await verifyBackups(ienv);
    backups = checks.length;
    for (const c of checks) if (!c.ok) problems.push(`backup ${c.record.id}: ${c.problem}`);
  } catch (e) {
    problems.push(`the backup manifest does not parse: ${(e as Error).message}`);
  }
  // The next install must not be blocked by a lock a killed install left behind.
  writeFileSync(config, OLD);
  const after = spawnSync(BINARY, ["install", "--client", "cursor"], {
    env,
    encoding: "utf8",
    timeout: 10_000,
  });
  if (after.status !== 0 || readFileSync(config, "utf8") !== NEW)
    problems.push(`an install after the kills failed: ${after.stdout}${after.stderr}`);
  return { kills: opts.kills, sawOld, sawNew, problems, backups };
}
