import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import fc from "fast-check";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { ID_PATTERN, isValidId } from "../../src/core/ids.ts";
import { checkDataPath, dataPath } from "../../src/workspace/layout.ts";

const RUNS = Number(process.env.ORCHESTRATOR_PROPERTY_RUNS ?? 300);
const ws = realpathSync(mkdtempSync(join(tmpdir(), "orch-paths-prop-")));
mkdirSync(join(ws, ".task_orchestrator", "artifacts"), { recursive: true });
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const root = join(ws, ".task_orchestrator");

/** Segments built from the characters that matter for paths, and whole hostile pieces. */
const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_./\\\0 -]{0,12}$/),
  fc.constantFrom("..", ".", "../..", "/", "/etc", "a/../..", "C:\\x", "", "x\0y", "\u202e"),
  fc.string({ maxLength: 12 }),
);

test("dataPath returns a path strictly inside .task_orchestrator/ or refuses with PATH_OUTSIDE_DATA_DIR", () => {
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
      let out: string;
      try {
        out = dataPath(ws, ...segments);
      } catch (e) {
        expect(isOrchestratorError(e, "PATH_OUTSIDE_DATA_DIR")).toBe(true);
        return;
      }
      const rel = relative(root, out);
      expect(rel === "" || rel === ".." || rel.startsWith(`..${sep}`)).toBe(false);
    }),
    { numRuns: RUNS * 10 },
  );
});

test("every id that passes the id rule is one segment that dataPath accepts", () => {
  fc.assert(
    fc.property(fc.array(segment, { minLength: 3, maxLength: 3 }), ([plan, task, art]) => {
      if (![plan, task, art].every(isValidId)) return;
      const r = checkDataPath(ws, "artifacts", plan!, task!, `${art}.md`);
      expect(r).toEqual({ path: join(root, "artifacts", plan!, task!, `${art}.md`) });
    }),
    { numRuns: RUNS * 10 },
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/), (id) => {
      if (!ID_PATTERN.test(id)) {
        expect(id.includes("..")).toBe(true);
        return;
      }
      expect("path" in checkDataPath(ws, "artifacts", id, id)).toBe(true);
    }),
    { numRuns: RUNS },
  );
});
