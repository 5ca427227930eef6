import { Database } from "bun:sqlite";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
const p = mkdtempSync(join(tmpdir(), "probe-")); mkdirSync(join(p, ".git"));
const t = new StdioClientTransport({ command: "/work/wt-paths/dist/orchestrator", args: ["serve", "--workspace", p], stderr: "inherit" });
const c = new Client({ name: "x", version: "1" }); await c.connect(t);
await c.callTool({ name: "orchestrator_plan_task", arguments: { description: "d", subtasks: [{ title: "a", specialist_type: "tester" }] } });
const dbPath = join(p, ".task_orchestrator/orchestrator.db");
const step = process.argv[2];
const open = (label: string) => { try { const db = new Database(dbPath); db.query("select workspace from plans limit 1").get(); db.close(); console.log(label, "ok"); } catch (e) { console.log(label, "ERR", (e as Error).message); } };
open("first");
const ro = new Database(dbPath, { readonly: true }); ro.query("select id from tasks").all(); ro.close();
open("after readonly");
for (const a of ["validate_structure", "update_documentation"]) {
  await c.callTool({ name: "orchestrator_maintenance_coordinator", arguments: { action: a } });
  open(`after ${a}`);
}
await c.callTool({ name: "orchestrator_maintenance_coordinator", arguments: { action: "validate_structure", repair: true } });
open("after repair");
await c.close();
