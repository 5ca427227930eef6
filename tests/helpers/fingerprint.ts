import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * A digest of everything a user could lose: every row of every table and every file under
 * .task_orchestrator/artifacts. Two equal fingerprints mean nothing was written in between.
 */
export function fingerprint(
  workspace: string,
  dbPath = join(workspace, ".task_orchestrator", "orchestrator.db"),
): string {
  const h = createHash("sha256");
  if (existsSync(dbPath)) {
    const db = new Database(dbPath, { readonly: true });
    try {
      for (const table of ["plans", "tasks", "task_dependencies", "artifacts", "events"]) {
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
