import { existsSync } from "node:fs";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import type { Env } from "../../platform/env.ts";
import { databasePath } from "../../workspace/layout.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { renderStatus } from "./status-render.ts";

interface StatusFlags {
  workspace?: string;
  db?: string;
  json?: boolean;
  all?: boolean;
  plan?: string;
  limit?: number;
}

/** `orchestrator status`: the human view of a workspace's plans and tasks. */
export function registerStatusCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("status", "Show the plans and tasks of the current workspace")
    .option("--workspace <dir>", "Project folder (default: the project containing the current directory)")
    .option("--db <path>", "Shared database file, as given to serve --db")
    .option("--all", "Include completed plans and tasks")
    .option("--plan <id>", "Show one plan with all its tasks")
    .option("--limit <n>", "At most this many plans", { default: 20 })
    .option("--json", "Print as JSON")
    .action(async (flags: StatusFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new OrchestratorError(
          "USAGE",
          `--limit must be a whole number from 1 to 10000, got '${flags.limit}'.`,
        );
      }
      const home = { cwd: env.cwd, homedir: env.homedir };
      const given = flags.workspace ?? env.vars.ORCHESTRATOR_WORKSPACE;
      const workspace = given
        ? checkDirectory(String(given), "--workspace", home)
        : findProjectRoot(env.cwd, env.homedir);
      if (!workspace) {
        throw new OrchestratorError(
          "WORKSPACE_UNRESOLVED",
          `${env.cwd} is not inside a project (no .git, package.json or .task_orchestrator above it). Run this in your project, or pass --workspace DIR.`,
        );
      }
      const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
      const dbPath = databasePath(workspace, dbFlag ? String(dbFlag) : undefined);
      if (!existsSync(dbPath)) {
        if (flags.json)
          io.out(JSON.stringify({ workspace, database: dbPath, exists: false, plans: [] }, null, 2));
        else
          io.out(
            `No orchestrator data in ${workspace} yet (${dbPath} does not exist). Plans appear here once a client calls orchestrator_plan_task.`,
          );
        setCode(EXIT.OK);
        return;
      }
      const [{ openStore }, { getStatus }, { createRoleLoader }] = await Promise.all([
        import("../../store/open.ts"),
        import("../../app/get-status.ts"),
        import("../../workspace/roles.ts"),
      ]);
      const store = await openStore(dbPath);
      try {
        const loader = createRoleLoader();
        const ctx = {
          store,
          workspace,
          clock: { now: () => new Date().toISOString() },
          random: { hex: () => "" },
          settings: { leaseMs: 0, maxArtifactBytes: 0, staleMs: 0 },
          roles: () => loader.load(workspace),
        };
        const status = await getStatus(ctx, {
          includeCompleted: Boolean(flags.all),
          planId: flags.plan,
          limit,
        });
        if (flags.json)
          io.out(JSON.stringify({ workspace, database: dbPath, exists: true, ...status }, null, 2));
        else io.out(renderStatus(workspace, status, io.c));
        setCode(EXIT.OK);
      } finally {
        await store.close();
      }
    });
}
