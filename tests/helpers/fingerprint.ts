import { Database } from "bun:sqlite";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { testDbUrl } from "./test-store.ts";

const TABLES = ["plans", "tasks", "task_dependencies", "artifacts", "events"];

/**
 * A digest of everything a user could lose: every row of every table and every file under
 * .task_orchestrator/artifacts. Two equal fingerprints mean nothing was written in between.
 * Without `dbPath`, the test store's database: the workspace's SQLite file, or the whole
 * PostgreSQL test database under ORCHESTRATOR_TEST_STORE=postgres.
 */
export function fingerprint(workspace: string, dbPath?: string): string {
  const h = createHash("sha256");
  const url = dbPath === undefined ? testDbUrl() : undefined;
  dbPath ??= join(workspace, ".task_orchestrator", "orchestrator.db");
  if (url) {
    const dump = spawnSync(process.execPath, [join(import.meta.dir, "_pg-dump.ts"), url, ...TABLES], {
      encoding: "utf8",
    });
    if (dump.status !== 0) throw new Error(`reading the PostgreSQL test database failed: ${dump.stderr}`);
    h.update(dump.stdout);
  } else if (existsSync(dbPath)) {
    const db = new Database(dbPath, { readonly: true });
    try {
      for (const table of TABLES) {
        const rows = db.query(`select * from ${table} order by rowid`).all();
        h.update(`${table}:${JSON.stringify(rows)}\n`);
      }
    } finally {
      db.close();
    }
  }
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(`${p}:${readFileSync(p).toString("base64")}\n`);
    }
  };
  walk(join(workspace, ".task_orchestrator", "artifacts"));
  return h.digest("hex");
}

/** Row counts per table, for readable assertions. */
export function rowCounts(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: Record<string, number> = {};
    for (const table of ["plans", "tasks", "task_dependencies", "artifacts", "events"]) {
      out[table] = (db.query(`select count(*) as n from ${table}`).get() as { n: number }).n;
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * A digest of a folder tree as the filesystem holds it: every entry's relative path, kind, mode
 * and (for files) content, symlinks not followed. `skip` leaves out relative paths (e.g. the data
 * folder, which the server is allowed to change). Equal digests mean nothing there was touched.
 */
export function treeDigest(dir: string, skip: (rel: string) => boolean = () => false): string {
  const h = createHash("sha256");
  const walk = (rel: string): void => {
    const abs = rel === "" ? dir : join(dir, rel);
    if (!existsSync(abs) && rel === "") {
      h.update("(missing)");
      return;
    }
    for (const name of readdirSync(abs).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`;
      if (skip(r)) continue;
      const st = lstatSync(join(dir, r));
      h.update(`${r}:${st.mode.toString(8)}:`);
      if (st.isSymbolicLink()) h.update(`-> ${readlinkSync(join(dir, r))}\n`);
      else if (st.isDirectory()) walk(r);
      else h.update(`${readFileSync(join(dir, r)).toString("base64")}\n`);
    }
  };
  walk("");
  return h.digest("hex");
}
