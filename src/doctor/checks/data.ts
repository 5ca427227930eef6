import { existsSync, statSync } from "node:fs";
import { isOrchestratorError } from "../../core/errors.ts";
import { inspectDatabase } from "../../store/health.ts";
import { isDatabaseUrl } from "../../store/postgres/url.ts";
import { ALLOW_SETTINGS_DB, settingsDbAllowed } from "../../workspace/allow-settings-db.ts";
import { chooseDatabase, type DatabaseChoice, shownTarget } from "../../workspace/database-choice.ts";
import { databasePath, dataDir } from "../../workspace/layout.ts";
import { findProjectRoot, type ResolvedWorkspace, resolveWorkspace } from "../../workspace/resolve.ts";
import { createSettingsLoader, SETTINGS_FILE } from "../../workspace/settings.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, fail, ok, skip, warn } from "../report.ts";
import { checkDatabaseFiles, checkPrivacy, probeWritable } from "./data-files.ts";
import { checkPostgresDatabase } from "./data-postgres.ts";
import { checkProject } from "./project.ts";

const RULES: Record<ResolvedWorkspace["source"], string> = {
  argument: "the working_directory argument",
  session: "the session",
  server: "--workspace / ORCHESTRATOR_WORKSPACE",
  client_roots: "the client's roots",
  project_marker: "the project folder around the current directory",
};

/** Where the data lives from here, whether it can be written, and the database's health. */
export async function checkData(ctx: DoctorContext): Promise<{ findings: Finding[]; workspace?: string }> {
  const { env } = ctx;
  let ws: ResolvedWorkspace;
  try {
    ws = await resolveWorkspace({
      argument: undefined,
      session: undefined,
      server: ctx.workspace,
      roots: undefined,
      cwd: env.cwd,
      homedir: env.homedir,
      projectRoot: () => findProjectRoot(env.cwd, env.homedir),
    });
  } catch (e) {
    // A server database is checked from anywhere: it does not live in a workspace.
    const server =
      ctx.db !== undefined && isDatabaseUrl(ctx.db) ? (await checkPostgresDatabase(ctx.db)).findings : [];
    return {
      findings: [
        ...server,
        warn(
          "data",
          "data.workspace",
          "Workspace",
          `none found from ${env.cwd}${isOrchestratorError(e, "WORKSPACE_FORBIDDEN") ? " (it is your home folder, the root or a system folder, which are never used)" : " (no git repository or project file above it)"}`,
          "Run 'orchestrator doctor' inside your project (a git repository or a folder with package.json, pyproject.toml, ...), or pass --workspace DIR.",
        ),
      ],
    };
  }
  const findings: Finding[] = [
    ok("data", "data.workspace", "Workspace", `${ws.path} (from ${RULES[ws.source]})`),
  ];
  const dir = dataDir(ws.path);
  // The store by the servers' own rule (workspace/database-choice.ts), so doctor checks the one
  // they use: --db / ORCHESTRATOR_DB, the settings' db: when allowed, the workspace's file.
  const chosen = storeChoice(ctx, ws.path);
  if (chosen.finding) findings.push(chosen.finding);
  if (chosen.db === null) return { findings, workspace: ws.path };
  const db = chosen.db;
  if (db !== undefined && isDatabaseUrl(db)) {
    // A server database: no files of its own here, only the data folder for artifact copies.
    findings.push(probeWritable(dir, ws.path));
    const server = await checkPostgresDatabase(db);
    findings.push(...server.findings);
    // The project's rows need the database at the current schema: opening one that is not would
    // migrate it, and doctor changes nothing. Its id and this machine's path are shown either way.
    findings.push(...(await checkProject(ws.path, db, db, { openStore: server.current })));
    return { findings, workspace: ws.path };
  }
  let dbPath: string;
  try {
    dbPath = databasePath(ws.path, db);
  } catch (e) {
    if (!isOrchestratorError(e, "PATH_OUTSIDE_DATA_DIR")) throw e;
    // A symlinked data folder or database: nothing there is opened or written.
    const problem = String((e.data as { problem?: string } | undefined)?.problem ?? e.message);
    findings.push(
      fail(
        "data",
        "data.files",
        "Data folder inside the workspace",
        `${dir}: ${problem}`,
        `Replace the symlink with a real folder or file (the server refuses to use it); to keep the database elsewhere, pass --db.`,
      ),
    );
    return { findings, workspace: ws.path };
  }
  findings.push(probeWritable(dir, ws.path));
  const blocked = checkDatabaseFiles(dbPath);
  findings.push(
    blocked ??
      ok(
        "data",
        "data.files",
        "Database files writable",
        existsSync(dbPath) ? `${dbPath} and its -wal/-shm` : "nothing to check before the first write",
      ),
  );
  findings.push(...checkPrivacy(dir, dbPath));
  findings.push(
    ...(blocked
      ? [
          skip(
            "data",
            "data.integrity",
            "Database integrity",
            "not opened until the files above are writable: opening it now would leave read-only -wal/-shm files behind",
          ),
        ]
      : await checkDatabase(dbPath, ws.path)),
  );
  // After the database checks: an unwritable database is not opened (see data.integrity).
  if (!blocked) findings.push(...(await checkProject(ws.path, db, dbPath)));
  return { findings, workspace: ws.path };
}

/**
 * The store the servers would choose for this workspace: `db` is what to check as given (undefined:
 * the workspace's own file; null: none, the choice failed), with a finding when the settings'
 * `db:` chose it, was ignored for want of the opt-in, or is invalid.
 */
function storeChoice(
  ctx: DoctorContext,
  workspace: string,
): { db: string | undefined | null; finding?: Finding } {
  const given = ctx.db ?? (ctx.env.vars.ORCHESTRATOR_DB || undefined);
  let choice: DatabaseChoice;
  try {
    choice = chooseDatabase(workspace, {
      given,
      allowSettings: settingsDbAllowed(ctx.env.vars),
      settings: createSettingsLoader(),
    });
  } catch (e) {
    // A symlinked data folder or database: reported below, where the workspace's file is checked.
    if (isOrchestratorError(e, "PATH_OUTSIDE_DATA_DIR")) return { db: given };
    if (!isOrchestratorError(e, "SETTINGS_INVALID")) throw e;
    return {
      db: null,
      finding: fail(
        "data",
        "data.store",
        "Store",
        e.message,
        `Fix db: in ${SETTINGS_FILE} (a postgres:// URL without a password), or unset ${ALLOW_SETTINGS_DB} to ignore it.`,
      ),
    };
  }
  if (choice.source === "settings")
    return {
      db: choice.target,
      finding: ok(
        "data",
        "data.store",
        "Store",
        `${shownTarget(choice.target)} (from db: in ${SETTINGS_FILE}, allowed by ${ALLOW_SETTINGS_DB})`,
      ),
    };
  if (choice.ignored)
    return {
      db: undefined,
      finding: warn(
        "data",
        "data.store",
        "Store",
        choice.ignored,
        `If you trust this repository, set ${ALLOW_SETTINGS_DB}=1 in your client's server entry or shell; or pass --db / ORCHESTRATOR_DB.`,
      ),
    };
  return { db: choice.source === "given" ? choice.target : undefined };
}

async function checkDatabase(path: string, workspace: string): Promise<Finding[]> {
  const wal = `${path}-wal`;
  const shm = `${path}-shm`;
  if (!existsSync(path)) {
    const orphans = [wal, shm].filter((p) => existsSync(p));
    return [
      skip(
        "data",
        "data.database",
        "Database",
        `${path} does not exist yet (created by the first tool call)`,
      ),
      ...(orphans.length > 0
        ? [
            warn(
              "data",
              "data.orphans",
              "Leftover WAL files",
              `${orphans.join(", ")} exist without their database`,
              `Nothing can use them without the database: remove ${orphans.join(" and ")}.`,
            ),
          ]
        : []),
    ];
  }
  const size = statSync(path).size;
  try {
    const found = await inspectDatabase(path, workspace, new Date().toISOString());
    const lines = found.integrity;
    const findings: Finding[] = [];
    if (lines.length === 1 && lines[0] === "ok") {
      findings.push(
        ok(
          "data",
          "data.integrity",
          "Database integrity",
          `integrity_check ok (${path}, ${formatBytes(size)})`,
        ),
      );
    } else {
      findings.push(
        fail(
          "data",
          "data.integrity",
          "Database integrity",
          `integrity_check reports: ${lines.slice(0, 3).join("; ")}`,
          `Stop the servers using it, copy ${path} aside, then try 'sqlite3 ${path} ".recover"' into a new file. Only if that fails, move it aside (keep it: it holds your plans); a new one is created at the next call.`,
        ),
      );
    }
    const journal = found.journalMode;
    findings.push(
      journal === "wal"
        ? ok("data", "data.wal", "WAL mode", "on")
        : warn(
            "data",
            "data.wal",
            "WAL mode",
            `journal_mode is ${journal}`,
            "Start the server once: it switches the database to WAL.",
          ),
    );
    const { applied, unknown, missing } = found;
    if (unknown.length > 0) {
      findings.push(
        fail(
          "data",
          "data.schema",
          "Schema version",
          `migrated by a newer orchestrator (${unknown.join(", ")})`,
          "Upgrade this binary to the version that wrote the database (see 'orchestrator validate' for what clients run).",
        ),
      );
    } else if (missing.length > 0) {
      findings.push(
        ok(
          "data",
          "data.schema",
          "Schema version",
          `${applied.at(-1) ?? "empty"}; ${missing.length} migration(s) run at the next start`,
        ),
      );
    } else {
      findings.push(ok("data", "data.schema", "Schema version", `${applied.at(-1)} (current)`));
    }
    const walSize = existsSync(wal) ? statSync(wal).size : 0;
    if (walSize > 64 * 1024 * 1024) {
      findings.push(
        warn(
          "data",
          "data.wal_size",
          "WAL size",
          `${formatBytes(walSize)} not checkpointed`,
          "A reader that never finishes keeps the WAL growing: restart the clients' servers (orchestrator_restart_server).",
        ),
      );
    }
    if (found.expiredClaims !== null) {
      const expired = found.expiredClaims;
      findings.push(
        expired > 0
          ? warn(
              "data",
              "data.leases",
              "Expired claims",
              `${expired} task(s) still claimed by agents whose lease ran out (their session or process is gone)`,
              "Call orchestrator_maintenance_coordinator with action scan_cleanup to release them (or let another agent take them over).",
            )
          : ok("data", "data.leases", "Expired claims", "none"),
      );
    }
    return findings;
  } catch (e) {
    const message = (e as Error).message;
    // Only a file that is not SQLite at all may be replaced; any other failure (permissions, a
    // full disk, a lock) leaves a healthy database that holds every plan.
    if (NOT_A_DATABASE.test(message)) {
      return [
        fail(
          "data",
          "data.integrity",
          "Database integrity",
          `${path} cannot be read as a database: ${message}`,
          `Move ${path} (and any -wal/-shm next to it) aside (keep it: it holds your plans, and may be recoverable with sqlite3 ".recover"); the orchestrator creates a new one at the next call.`,
        ),
      ];
    }
    return [
      fail(
        "data",
        "data.integrity",
        "Database integrity",
        `${path} could not be opened for writing: ${message}`,
        isOrchestratorError(e)
          ? e.fix
          : "Stop other programs holding the file, check free space (df -h) and permissions, and run doctor again. Do not replace the database: it holds your plans.",
      ),
    ];
  }
}

const NOT_A_DATABASE = /file is not a database|malformed|SQLITE_NOTADB|SQLITE_CORRUPT/i;

function formatBytes(n: number): string {
  return n < 1024 * 1024 ? `${Math.round(n / 1024)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}
