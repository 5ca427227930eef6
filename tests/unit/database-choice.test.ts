import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { settingsDbAllowed } from "../../src/workspace/allow-settings-db.ts";
import { chooseDatabase } from "../../src/workspace/database-choice.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";
import { makeProject } from "../helpers/temp.ts";

// The one rule for a workspace's store (issue 13, item 1): --db / ORCHESTRATOR_DB, then the
// settings' db: only with the opt-in, then the workspace's file; what db: may hold.
const made: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const p of made.splice(0)) p.cleanup();
});

function workspace(settings: string): string {
  const p = makeProject("orch-dbchoice-");
  made.push(p);
  mkdirSync(join(p.dir, ".task_orchestrator"));
  writeFileSync(join(p.dir, ".task_orchestrator", "settings.yaml"), settings);
  return p.dir;
}

const choose = (ws: string, given: string | undefined, allowSettings: boolean) =>
  chooseDatabase(ws, { given, allowSettings, settings: createSettingsLoader() });

describe("chooseDatabase", () => {
  const URL = "postgres://orch@db.example:5433/team?sslmode=require";

  test("precedence: given, then settings (opted in), then the workspace's file", () => {
    const ws = workspace(`db: ${URL}\n`);
    expect(choose(ws, "/tmp/x.db", true)).toEqual({ target: "/tmp/x.db", source: "given" });
    expect(choose(ws, undefined, true)).toEqual({ target: URL, source: "settings" });
    const off = choose(ws, undefined, false);
    expect(off.source).toBe("workspace");
    expect(off.target).toBe(join(ws, ".task_orchestrator", "orchestrator.db"));
    expect(off.ignored).toContain("team on db.example:5433");
    expect(off.ignored).toContain("ORCHESTRATOR_ALLOW_SETTINGS_DB=1");
  });

  test("no db: no notice; postgresql:// is accepted", () => {
    expect(choose(workspace("lease: 10m\n"), undefined, false).ignored).toBeUndefined();
    const ws = workspace("db: postgresql://orch@h/d\n");
    expect(choose(ws, undefined, true)).toEqual({ target: "postgresql://orch@h/d", source: "settings" });
  });

  test.each([
    ["db: postgres://orch:pw@h/d\n", "holds a password"],
    ["db: postgres://orch:@h/d\n", "holds a password"],
    ["db: orchestrator.db\n", "must be a postgres:// URL"],
    ["db: /home/me/x.db\n", "must be a postgres:// URL"],
    ["db: mysql://h/d\n", "must be a postgres:// URL"],
    ["db: 5\n", "must be a postgres:// URL"],
    ["db: postgres://orch@h/d?pool_max=0\n", "pool_max"],
    ["db: postgres://orch@h/\n", "names no database"],
    ["db: [postgres://h/d\n", "settings.yaml:"],
  ])("opted in, %p is SETTINGS_INVALID (%s), never the password", (text, what) => {
    const ws = workspace(text);
    let caught: unknown;
    try {
      choose(ws, undefined, true);
    } catch (e) {
      caught = e;
    }
    expect((caught as { code?: string }).code).toBe("SETTINGS_INVALID");
    expect(String((caught as Error).message)).toContain(what);
    expect(String((caught as Error).message)).not.toContain(":pw@");
    // Not opted in, nothing fails; an invalid db: line is still named, without its password.
    const off = choose(ws, undefined, false);
    expect(off.source).toBe("workspace");
    expect(off.ignored ?? "").not.toContain(":pw@");
  });

  test("the opt-in takes 1, true or yes", () => {
    for (const v of ["1", "true", "YES", " 1 "])
      expect(settingsDbAllowed({ ORCHESTRATOR_ALLOW_SETTINGS_DB: v })).toBe(true);
    for (const v of [undefined, "", "0", "no", "false"])
      expect(settingsDbAllowed({ ORCHESTRATOR_ALLOW_SETTINGS_DB: v })).toBe(false);
  });
});
