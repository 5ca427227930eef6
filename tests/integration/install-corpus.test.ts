import { afterAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyEntry } from "../../src/install/apply.ts";
import { listBackups } from "../../src/install/backups.ts";
import { readEntry } from "../../src/install/edit/index.ts";
import type { InstallEnv } from "../../src/install/types.ts";
import { generateCorpus } from "../helpers/config-corpus.ts";
import { makeProject } from "../helpers/temp.ts";

const home = makeProject("orch-corpus-");
// Removing the thousands of files and backups this leaves took over the default 5 s hook
// timeout on a loaded 2-core machine (the test itself passed): the cleanup gets its own budget.
afterAll(() => home.cleanup(), 120_000);

// The whole write pipeline (backup, temp file, fsync, rename, read-back), not just the pure edit,
// on 1,000 generated hostile files: none may end up damaged.
test("1,000 hostile config files through install and uninstall: 0 damaged", async () => {
  const cases = generateCorpus(4242, 1000);
  const damaged: string[] = [];
  for (const [i, c] of cases.entries()) {
    const dir = join(home.dir, `c${i}`);
    mkdirSync(dir);
    const ext = c.edit.format === "toml" ? "toml" : c.edit.format === "yaml" ? "yaml" : "json";
    const path = join(dir, `config.${ext}`);
    writeFileSync(path, c.text);
    const env: InstallEnv = {
      platform: "linux",
      homedir: home.dir,
      vars: { ORCHESTRATOR_HOME: join(dir, "data") },
    };
    const common = {
      client: "corpus",
      path,
      edit: c.edit,
      dryRun: false,
      now: new Date().toISOString(),
      root: home.dir,
    };
    const installed = await applyEntry(env, { ...common, value: c.value, reason: "install" });
    const afterInstall = readFileSync(path, "utf8");
    const removed = await applyEntry(env, { ...common, value: null, reason: "uninstall" });
    const afterUninstall = readFileSync(path, "utf8");
    const backups = await listBackups(env);
    const problems = [
      installed.status !== "applied" && `install: ${installed.status} ${installed.message}`,
      JSON.stringify(readEntry(afterInstall, c.edit)) !== JSON.stringify(c.value) &&
        "entry does not read back",
      removed.status !== "applied" && `uninstall: ${removed.status} ${removed.message}`,
      afterUninstall !== c.text && "uninstall did not give back the original bytes",
      backups.length !== 2 && `${backups.length} backups instead of 2`,
      backups[0]?.size !== Buffer.byteLength(c.text) && "the install backup does not hold the original",
    ].filter(Boolean);
    if (problems.length > 0) damaged.push(`#${i} ${c.edit.format}: ${problems.join("; ")}`);
  }
  expect(damaged).toEqual([]);
}, 120_000);
