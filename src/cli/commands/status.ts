import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import { TASK_STATUSES, type TaskStatus } from "../../core/task.ts";
import type { Env } from "../../platform/env.ts";
import { isDatabaseUrl } from "../../store/postgres/url.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { snakeCaseKeys } from "../snake-case.ts";
import { cliWorkspace, openCliContext } from "./_workspace.ts";
import { renderStatus, type StoreLocation } from "./status-render.ts";

interface StatusFlags {
  workspace?: string;
  db?: string;
  json?: boolean;
  all?: boolean;
  plan?: string;
  limit?: number;
  status?: string;
  role?: string;
}

/** `orchestrator status`: the human view of a workspace's plans and tasks. */
export function registerStatusCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("status", "Show the plans and tasks of the current workspace")
    .option("--workspace <dir>", "Project folder (default: the project containing the current directory)")
    .option("--db <path>", "Shared database file, as given to serve --db")
    .option("--all", "Include completed plans and tasks")
    .option("--plan <id>", "Show one plan with all its tasks")
    .option("--status <list>", "Only tasks in these statuses, comma-separated (e.g. pending,blocked)")
    .option("--role <list>", "Only tasks for these roles, comma-separated")
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
      const statuses = parseList(flags.status);
      const bad = statuses?.filter((s) => !(TASK_STATUSES as readonly string[]).includes(s)) ?? [];
      if (bad.length > 0) {
        throw new OrchestratorError(
          "USAGE",
          `--status: unknown status ${bad.join(", ")}; use any of ${TASK_STATUSES.join(", ")}.`,
        );
      }
      const roles = parseList(flags.role);
      const where = await cliWorkspace(env, flags);
      const { workspace, dbPath, exists, database } = where;
      // dbPath is the URL without its password for a PostgreSQL store.
      const store: StoreLocation = {
        dialect: isDatabaseUrl(database.target) ? "postgres" : "sqlite",
        location: dbPath,
        chosenBy: database.source,
      };
      if (!exists) {
        const [{ readProjectIdentity }, { createSettingsLoader }] = await Promise.all([
          import("../../workspace/project.ts"),
          import("../../workspace/settings.ts"),
        ]);
        const identity = readProjectIdentity(workspace, createSettingsLoader());
        const warnings = database.ignored ? [database.ignored] : [];
        if (flags.json)
          io.out(
            JSON.stringify(
              snakeCaseKeys({
                workspace,
                project: { id: identity.id, source: identity.source, path: workspace, warnings },
                store,
                database: dbPath,
                exists: false,
                plans: [],
              }),
              null,
              2,
            ),
          );
        else
          io.out(
            [
              `No orchestrator data in ${workspace} (project ${identity.id}) yet (${store.dialect} ${dbPath} does not exist). Plans appear here once a client calls orchestrator_plan_task.`,
              ...warnings.map((w) => io.c.yellow(`! ${w}`)),
            ].join("\n"),
          );
        setCode(EXIT.OK);
        return;
      }
      const [{ getStatus }, { projectInfo }] = await Promise.all([
        import("../../app/get-status.ts"),
        import("../../app/project-info.ts"),
      ]);
      const { ctx, close } = await openCliContext(where, { readOnly: true });
      try {
        const filtered = statuses !== undefined || roles !== undefined;
        const raw = await getStatus(ctx, {
          includeCompleted: Boolean(flags.all) || filtered,
          planId: flags.plan,
          limit,
        });
        const keep = (t: { status: TaskStatus; specialistType: string }): boolean =>
          (!statuses || statuses.includes(t.status)) && (!roles || roles.includes(t.specialistType));
        const status = filtered
          ? {
              ...raw,
              plans: raw.plans
                .map((p) => ({
                  ...p,
                  tasks: p.tasks.filter(keep),
                  hiddenTasks: p.hiddenTasks + p.tasks.filter((t) => !keep(t)).length,
                }))
                .filter((p) => p.tasks.length > 0),
            }
          : raw;
        const info = await projectInfo(ctx, { sharedStore: database.source !== "workspace" });
        const project = database.ignored ? { ...info, warnings: [database.ignored, ...info.warnings] } : info;
        if (flags.json)
          io.out(
            JSON.stringify(
              snakeCaseKeys({ workspace, project, store, database: dbPath, exists: true, ...status }),
              null,
              2,
            ),
          );
        else io.out(renderStatus(workspace, status, io.c, project, store));
        setCode(EXIT.OK);
      } finally {
        await close();
      }
    });
}

function parseList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = String(v)
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}
