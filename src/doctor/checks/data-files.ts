import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { databaseWriteBlockers, looseModes, shellQuote, writeBlocker } from "../../platform/permissions.ts";
import { type Finding, fail, ok, warn } from "../report.ts";

/**
 * Can the server create its files here? Tried for real (a probe file, removed at once) because
 * permission bits lie: root ignores them, read-only mounts and ACLs do not show in them.
 */
export function probeWritable(dir: string, workspace: string): Finding {
  const title = "Data folder writable";
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    return fail(
      "data",
      "data.writable",
      title,
      `${dir} is a file, not a folder: the server cannot store anything in this workspace`,
      `Move the file ${dir} aside (the server recreates the folder), or use serve --db PATH to keep the data elsewhere.`,
    );
  }
  const where = existsSync(dir) ? dir : workspace;
  const probe = join(where, `.orchestrator-doctor-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
    return ok("data", "data.writable", title, `${dir}${existsSync(dir) ? "" : " (created on first use)"}`);
  } catch (e) {
    const blocker = writeBlocker(where);
    return fail(
      "data",
      "data.writable",
      title,
      `cannot create files in ${where}: ${blocker ? blocker.reason : (e as Error).message}`,
      `Run: ${blocker?.fix ?? `chmod u+w ${shellQuote(where)}`} (or use serve --db PATH to keep the data elsewhere).`,
    );
  }
}

/**
 * The database, its -wal and -shm and their folder must all be writable: one read-only -shm
 * (left by opening a read-only database once) fails every call while the database is healthy.
 */
export function checkDatabaseFiles(dbPath: string): Finding | undefined {
  const blockers = databaseWriteBlockers(dbPath);
  if (blockers.length === 0) return undefined;
  return fail(
    "data",
    "data.files",
    "Database files writable",
    blockers.map((b) => `${b.path} is not writable (${b.reason})`).join("; "),
    `Run: ${[...new Set(blockers.map((b) => b.fix))].join(" && ")}. The database itself is intact: do not replace it.`,
  );
}

/**
 * Files the orchestrator creates are the owner's only (folder 0700, database 0600); ones made by
 * older versions, or by hand, may be readable by every local user. Said, never changed silently:
 * the files are the user's.
 */
export function checkPrivacy(dir: string, dbPath: string): Finding[] {
  if (process.platform === "win32") return [];
  const loose = looseModes([
    { path: dir, want: 0o700 },
    { path: dbPath, want: 0o600 },
    { path: `${dbPath}-wal`, want: 0o600 },
    { path: `${dbPath}-shm`, want: 0o600 },
  ]);
  if (loose.length === 0) {
    return [ok("data", "data.privacy", "Data private to you", "the data folder and database are yours only")];
  }
  return [
    warn(
      "data",
      "data.privacy",
      "Data private to you",
      `readable by other local users: ${loose.map((l) => `${l.path} (${l.mode})`).join(", ")}`,
      `Run: ${loose.map((l) => `chmod ${l.want.slice(1)} ${shellQuote(l.path)}`).join(" && ")}`,
    ),
  ];
}
