import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { judge } from "../../scripts/arch/allowlist.ts";
import { findViolations } from "../../scripts/arch/rules.ts";

const SCRIPT = join(import.meta.dir, "..", "..", "scripts", "arch-check.ts");
let root: string;

/** A small tree with one of each violation, and near misses that must pass. */
const TREE: Record<string, string> = {
  "src/core/impure.ts":
    'import { readFileSync } from "node:fs";\nimport type { Store } from "../store/ok.ts";\n',
  "src/core/pure.ts":
    'import { z } from "zod";\nimport { x } from "./impure.ts";\nexport const s = z.string();\n',
  "src/app/query.ts": [
    '// db.selectFrom("commented") is not code',
    "/**",
    " * nor is sql`select 1` in a doc comment",
    " */",
    'export const rows = (db) => db.selectFrom("tasks").selectAll().execute();',
    "export const check = (db) => sql<{ ok: string }>`pragma quick_check`.execute(db);",
    "export const later = [1, 2].with(0, 3);",
  ].join("\n"),
  "src/app/files.ts": 'import { rm } from "node:fs/promises";\n',
  "src/store/ok.ts": 'export const q = (db) => db.selectFrom("tasks").where(sql`1`);\n',
  "src/a.ts": 'import type { B } from "./b.ts";\nexport type A = B;\n',
  "src/b.ts": 'export type B = string;\nexport const load = () => import("./c/c.ts");\n',
  "src/c/c.ts": 'export {\n  type A,\n} from "../a.ts";\n',
  "src/big.ts": "export const x = 1;\n".repeat(401),
  "src/exactly-400.ts": "export const x = 1;\n".repeat(400),
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "orch-arch-"));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("each rule reports its violation, and only those", () => {
  const found = findViolations(root).map((v) => `${v.rule} ${v.file} ${v.detail}`);
  expect(found).toEqual([
    "app-node-fs src/app/files.ts imports node:fs/promises",
    "core-imports src/core/impure.ts imports node:fs",
    "core-imports src/core/impure.ts imports ../store/ok.ts",
    "file-size src/big.ts 401 lines (limit 400)",
    "import-cycle src/a.ts src/a.ts → src/b.ts → src/c/c.ts → src/a.ts",
    "import-cycle src/b.ts src/b.ts → src/c/c.ts → src/a.ts → src/b.ts",
    "import-cycle src/c/c.ts src/c/c.ts → src/a.ts → src/b.ts → src/c/c.ts",
    'sql-outside-store src/app/query.ts line 5: query builder: export const rows = (db) => db.selectFrom("tasks").selectAll().execute();',
    "sql-outside-store src/app/query.ts line 6: sql template: export const check = (db) => sql<{ ok: string }>`pragma quick_check`.execute(db);",
  ]);
});

test("an allowlist hides what it names, and an entry that no longer occurs is stale", () => {
  const verdict = judge(findViolations(root), {
    allow: { "file-size": ["src/big.ts", "src/exactly-400.ts"], "app-node-fs": ["src/app/files.ts"] },
  });
  expect(verdict.unexpected.map((v) => v.file)).not.toContain("src/big.ts");
  expect(verdict.unexpected.map((v) => v.file)).not.toContain("src/app/files.ts");
  expect(verdict.stale).toEqual([{ rule: "file-size", file: "src/exactly-400.ts" }]);
});

test("the command fails with the list, and passes once everything found is allowlisted", () => {
  const run = () =>
    Bun.spawnSync([process.execPath, SCRIPT, "--root", root], { stderr: "pipe", stdout: "pipe" });
  const failed = run();
  expect(failed.exitCode).toBe(1);
  const report = failed.stderr.toString();
  expect(report).toContain("core-imports (src/core imports only zod");
  expect(report).toContain("src/core/impure.ts: imports node:fs");
  expect(report).toContain("src/a.ts: src/a.ts → src/b.ts → src/c/c.ts → src/a.ts");

  const allow: Record<string, string[]> = {};
  for (const v of findViolations(root)) allow[v.rule] = [...(allow[v.rule] ?? []), v.file];
  mkdirSync(join(root, "scripts"), { recursive: true });
  writeFileSync(join(root, "scripts", "arch-allow.json"), JSON.stringify({ allow }));
  const passed = run();
  expect(passed.stdout.toString()).toContain("Architecture check passed");
  expect(passed.exitCode).toBe(0);

  allow["file-size"]!.push("src/exactly-400.ts");
  writeFileSync(join(root, "scripts", "arch-allow.json"), JSON.stringify({ allow }));
  const stale = run();
  expect(stale.exitCode).toBe(1);
  expect(stale.stderr.toString()).toContain(
    "remove it from the allowlist:\n    file-size: src/exactly-400.ts",
  );
});
