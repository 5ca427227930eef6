import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { call, callOk, connectBinary } from "../helpers/client.ts";

// The compiled binary: which folders a call may use as its workspace, and that reading a
// workspace never creates anything in it.
let root: string;
let project: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "orch-walls-")));
  project = join(root, "project");
  mkdirSync(join(project, ".git"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const connect = (env: Record<string, string> = {}) =>
  connectBinary({ cwd: "/", env: { HOME: join(root, "home"), ...env } });

function codeOf(r: CallToolResult): string | undefined {
  return (r._meta as Record<string, { code: string }> | undefined)?.["orchestrator/error"]?.code;
}

/** Every path under `dir`, so "nothing was created" is checked on the whole tree. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe("workspace walls", () => {
  test("system folders, '.', and a malformed file:// URI are refused with a named error, never INTERNAL", async () => {
    const c = await connect();
    try {
      const cases: [string, string][] = [
        ["/etc", "WORKSPACE_FORBIDDEN"],
        ["/dev", "WORKSPACE_FORBIDDEN"],
        ["/usr/bin", "WORKSPACE_FORBIDDEN"],
        ["/tmp", "WORKSPACE_FORBIDDEN"],
        [".", "INVALID_INPUT"],
        ["project", "INVALID_INPUT"],
        ["file://%zz", "INVALID_INPUT"],
      ];
      for (const [wd, code] of cases) {
        for (const tool of ["orchestrator_get_status", "orchestrator_initialize_session"]) {
          const r = await call(c.client, tool, { working_directory: wd });
          expect({ wd, tool, code: codeOf(r) }).toEqual({ wd, tool, code });
        }
      }
      // a project under /tmp is a user's folder, and allowed
      await callOk(c.client, "orchestrator_get_status", { working_directory: project });
      expect(c.stderr()).not.toContain("internal error");
    } finally {
      await c.close();
    }
  });

  test("read-only tools in a workspace without data create no file or folder, and answer with an empty state", async () => {
    const shared = join(root, "shared", "all.db");
    mkdirSync(join(root, "shared"));
    const before = tree(root);
    const c = await connect();
    try {
      const status = await callOk(c.client, "orchestrator_get_status", { working_directory: project });
      expect(status.plans_open).toBe(0);
      expect(status.plans).toEqual([]);
      const health = await callOk(c.client, "orchestrator_health_check", { working_directory: project });
      expect(health.healthy).toBe(true);
      expect(health.database.quick_check).toContain("no database yet");
      const q = await callOk(c.client, "orchestrator_query_tasks", { working_directory: project });
      expect(q.tasks).toEqual([]);
      const t = await call(c.client, "orchestrator_get_task", {
        working_directory: project,
        task_id: "task_00000000",
      });
      expect(codeOf(t)).toBe("TASK_NOT_FOUND");
      const a = await call(c.client, "orchestrator_get_artifact", {
        working_directory: project,
        artifact_id: "artifact_00000000",
      });
      expect(codeOf(a)).toBe("ARTIFACT_NOT_FOUND");
      const syn = await call(c.client, "orchestrator_synthesize_results", {
        working_directory: project,
        parent_task_id: "task_00000000",
      });
      expect(codeOf(syn)).toBe("PLAN_NOT_FOUND");
      // maintenance runs that only read: validation without repair, a dry-run cleanup
      for (const args of [
        { action: "validate_structure", validation_level: "full_audit" },
        { action: "scan_cleanup", dry_run: true, validation_level: "comprehensive" },
      ]) {
        const m = await callOk(c.client, "orchestrator_maintenance_coordinator", {
          working_directory: project,
          ...args,
        });
        expect(m.findings).toEqual([]);
        expect(m.summary).toContain("No database yet");
      }
      expect(tree(root)).toEqual(before);

      // the first write creates the data, and reads on the same connection see it
      const plan = await callOk(c.client, "orchestrator_plan_task", {
        working_directory: project,
        description: "now there is data",
        subtasks_json: JSON.stringify([{ title: "a", description: "b", specialist_type: "implementer" }]),
      });
      const after = await callOk(c.client, "orchestrator_get_status", { working_directory: project });
      expect(after.plans.map((p: { parent_task_id: string }) => p.parent_task_id)).toEqual([
        plan.parent_task_id,
      ]);
    } finally {
      await c.close();
    }

    // resources and prompts read too: a client browsing them at connect creates nothing
    const fresh = join(root, "fresh");
    mkdirSync(join(fresh, ".git"), { recursive: true });
    const beforeBrowse = tree(root);
    const r = await connectBinary({ cwd: fresh, env: { HOME: join(root, "home") } });
    try {
      expect((await r.client.listResources()).resources).toEqual([]);
      const prompt = await r.client
        .getPrompt({ name: "implementer", arguments: { task_id: "implementer_000000" } })
        .catch((e: Error) => e);
      expect(String(prompt)).toContain("TASK_NOT_FOUND");
      expect(tree(root)).toEqual(beforeBrowse);
    } finally {
      await r.close();
    }

    // a shared --db that does not exist yet is not created by a read either
    const s = await connect({ ORCHESTRATOR_DB: shared });
    try {
      await callOk(s.client, "orchestrator_get_status", { working_directory: project });
      expect(readdirSync(join(root, "shared"))).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
