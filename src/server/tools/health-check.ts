import { z } from "zod";
import { healthCheck } from "../../app/health-check.ts";
import { SupervisorInfoSchema } from "../../protocol/worker-channel.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspaceReadOnly, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  project: z.string().describe("Project id: the store key, the same on every machine"),
  healthy: z.boolean().describe("True when no problem was found"),
  problems: z.array(z.string()).describe("Each problem found, in words"),
  timestamp: z.string().describe("When this was measured"),
  server: z
    .object({
      version: z.string(),
      pid: z.number(),
      uptime_seconds: z.number(),
      runtime: z.string(),
      connection: z.string().describe("This connection's default agent id"),
      rss_mib: z.number(),
    })
    .describe("This server process: version, pid, uptime, runtime, memory"),
  database: z
    .object({
      dialect: z.enum(["sqlite", "postgres"]),
      path: z.string(),
      reachable: z.boolean(),
      quick_check: z.string(),
      journal_mode: z.string(),
      schema_version: z.string().nullable(),
      migrations_applied: z.number(),
      size_bytes: z.number(),
      wal_bytes: z.number(),
      postgres: z
        .object({
          server_version: z.string(),
          pool: z.object({ size: z.number(), idle: z.number(), waiting: z.number(), max: z.number() }),
        })
        .nullable(),
      chosen_by: z.enum(["given", "settings", "workspace"]),
      warnings: z.array(z.string()),
    })
    .describe(
      "The workspace's store: dialect, path (no password), reachability, integrity, journal mode, schema, sizes; PostgreSQL: server version and pool; chosen_by: --db/ORCHESTRATOR_DB (given), settings db: (opted in) or the workspace's file; warnings such as an ignored settings db:",
    ),
  claims: z
    .object({ open: z.number(), expired: z.number() })
    .describe("Claimed tasks: open leases and those already expired"),
  plans: z
    .object({ open: z.number(), tasks_in_open_plans: z.number() })
    .describe("Open plans and their task count"),
  supervisor: SupervisorInfoSchema.nullable().describe(
    "Restarts of this connection's worker; null when serve runs without its supervisor",
  ),
};

const inputSchema = z.object({ working_directory: workingDirectoryField });

/** Registers orchestrator_health_check: real figures about the server and the workspace's store. */
export function registerHealthCheckTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_health_check",
    {
      title: "Check server and database health",
      description:
        "Measured health: store (sqlite|postgres: pool, version), integrity, journal mode, schema, sizes, claims, workspace, version, uptime, memory.",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const h = await healthCheck(ctx);
        const serverInfo = {
          version: session.deps.version,
          pid: process.pid,
          uptime_seconds: Math.round(process.uptime()),
          runtime: `${session.deps.env.runtime} ${session.deps.env.runtimeVersion}`,
          connection: session.defaultAgentId,
          rss_mib: Math.round((process.memoryUsage().rss / 1048576) * 10) / 10,
        };
        const structured = {
          ...workspaceFields(ws),
          project: ctx.identity.id,
          healthy: h.healthy,
          problems: [...h.problems],
          timestamp: ctx.clock.now(),
          server: serverInfo,
          database: h.database,
          claims: h.claims,
          plans: h.plans,
          supervisor: session.deps.supervisorInfo ?? null,
        };
        const sup = session.deps.supervisorInfo;
        const pg = h.database.postgres;
        const lines = [
          `${h.healthy ? "Healthy" : "NOT healthy"}: workspace ${ws.path}, orchestrator ${serverInfo.version} (${serverInfo.runtime}), up ${serverInfo.uptime_seconds}s, ${serverInfo.rss_mib} MiB.`,
          `Project ${ctx.identity.id} (from ${ctx.identity.source}).`,
          h.database.dialect === "postgres"
            ? `Store postgres ${h.database.path}${pg ? ` (PostgreSQL ${pg.server_version}; pool ${pg.pool.size}/${pg.pool.max} connections, ${pg.pool.idle} idle, ${pg.pool.waiting} waiting)` : ""}: integrity ${h.database.quick_check}, schema ${h.database.schema_version}.`
            : `Store sqlite ${h.database.path}: quick_check ${h.database.quick_check}, journal ${h.database.journal_mode}, schema ${h.database.schema_version}, ${h.database.size_bytes} bytes (+${h.database.wal_bytes} WAL).`,
          `Claims: ${h.claims.open} open, ${h.claims.expired} expired. Open plans: ${h.plans.open} with ${h.plans.tasks_in_open_plans} tasks.`,
          sup
            ? `Worker ${sup.worker_generation} under supervisor pid ${sup.supervisor_pid}: ${sup.restarts} restart(s), ${sup.crash_restarts} after a crash${sup.last_restart ? `, last at ${sup.last_restart}` : ""}.`
            : "No supervisor (serve --no-supervisor): restarts are not available.",
          ...h.problems.map((p) => `Problem: ${p}`),
          ...h.database.warnings.map((w) => `Warning: ${w}`),
        ];
        return ok(structured, lines.join("\n"));
      }),
  );
}
