import { createHash } from "node:crypto";
import { requireArtifactRowPath, requireRowIds } from "../repositories/_row-check.ts";
import type { CopyTable } from "./tables.ts";

export type Row = Readonly<Record<string, unknown>>;

/**
 * A row as text both dialects agree on: columns sorted by name, the target's own numbering left
 * out, integers as numbers (a driver may hand back a bigint or a numeric string), absent as null.
 */
export function canonicalRow(table: CopyTable, row: Row): string {
  const cols = Object.keys(row)
    .filter((c) => !table.generated.includes(c))
    .sort();
  return JSON.stringify(cols.map((c) => [c, normalise(row[c])]));
}

function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  return v;
}

/** The primary key of a row as one string (the content itself for a table without a key). */
export function rowKey(table: CopyTable, row: Row): string {
  if (!table.key) return canonicalRow(table, row);
  return JSON.stringify(table.key.map((c) => normalise(row[c])));
}

/** The columns in which two rows differ (generated ones aside). */
export function differingColumns(table: CopyTable, a: Row, b: Row): string[] {
  const cols = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...cols]
    .filter((c) => !table.generated.includes(c))
    .filter((c) => JSON.stringify(normalise(a[c])) !== JSON.stringify(normalise(b[c])))
    .sort();
}

/** sha256 over the canonical rows, in a fixed order, so two stores holding the same rows agree. */
export function checksum(table: CopyTable, rows: readonly Row[]): string {
  const lines = rows.map((r) => canonicalRow(table, r)).sort();
  const h = createHash("sha256");
  for (const l of lines) h.update(l).update("\n");
  return h.digest("hex");
}

/**
 * Why a source row may not be copied, or undefined when it may: the same id rules the row
 * mappers hold every read to (a shared or crafted database is hostile), and a parent that was
 * itself refused (its child would break the target's foreign keys).
 */
export function refusal(
  table: CopyTable,
  row: Row,
  refused: { readonly plans: ReadonlySet<string>; readonly tasks: ReadonlySet<string> },
): string | undefined {
  try {
    switch (table.name) {
      case "plans":
        requireRowIds("plans", { id: row.id });
        break;
      case "tasks":
        requireRowIds("tasks", { id: row.id, plan_id: row.plan_id });
        if (refused.plans.has(String(row.plan_id))) return `its plan ${String(row.plan_id)} was refused`;
        break;
      case "task_dependencies":
        requireRowIds("task_dependencies", { task_id: row.task_id, depends_on: row.depends_on });
        if (refused.tasks.has(String(row.task_id))) return `its task ${String(row.task_id)} was refused`;
        break;
      case "artifacts":
        requireArtifactRowPath(row as { id: string; task_id: string; plan_id: string; path: string });
        if (refused.tasks.has(String(row.task_id))) return `its task ${String(row.task_id)} was refused`;
        break;
      case "events":
        requireRowIds("events", {
          plan_id: row.plan_id,
          ...(row.task_id === null ? {} : { task_id: row.task_id }),
        });
        break;
      default:
        break;
    }
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return undefined;
}
