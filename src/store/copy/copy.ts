import type { Kysely } from "kysely";
import type { Db } from "../database.ts";
import { canonicalRow, checksum, differingColumns, type Row, refusal, rowKey } from "./rows.ts";
import { COPY_TABLES, type CopyTable } from "./tables.ts";

// biome-ignore lint/suspicious/noExplicitAny: the copy walks every table by name; rows are checked by rows.ts
type AnyDb = Kysely<any>;

/** One table of one project: what the source holds and what became of each row. */
export interface TableCopy {
  readonly table: string;
  /** Rows of the project in the source. */
  readonly source: number;
  /** Rows written to the target (or that would be, in a dry run). */
  readonly copied: number;
  /** Rows the target already held, identical. */
  readonly present: number;
  /** Rows the target holds under the same key with other values: never overwritten. */
  readonly conflicts: readonly { readonly key: string; readonly columns: readonly string[] }[];
  /** Source rows that break the store's rules (and their children): not copied. */
  readonly refused: readonly { readonly key: string; readonly reason: string }[];
  /**
   * Artifact rows written before texts were kept in the store (content null) whose text was read
   * from the local file (checked against the row's size and sha256), so other machines can read it.
   */
  readonly filled: number;
  /** Such rows whose file was not found or did not match: copied without their text. */
  readonly withoutText: readonly string[];
  /** sha256 of the copied-or-present source rows, and of the same rows read back from the target. */
  readonly sourceChecksum: string;
  readonly targetChecksum: string | null;
}

export interface ProjectCopy {
  readonly project: string;
  readonly tables: readonly TableCopy[];
  /** Every source row (but refused ones) is in the target, identical: null in a dry run or when nothing was written because of conflicts. */
  readonly verified: boolean | null;
}

export interface CopyReport {
  readonly dryRun: boolean;
  readonly projects: readonly ProjectCopy[];
}

/** The projects a store holds rows for, in any table. */
export async function listProjects(db: Db): Promise<string[]> {
  const any = db as unknown as AnyDb;
  const found = new Set<string>();
  for (const t of COPY_TABLES) {
    const rows = await any.selectFrom(t.name).select(t.scope).distinct().execute();
    for (const r of rows) found.add(String(r[t.scope]));
  }
  return [...found].sort();
}

/**
 * Copies the rows of `projects` from one store to another, either dialect to either. Idempotent:
 * rows the target already holds identically are left alone; a row held with other values is a
 * conflict, and a project with any conflict is not written at all (nothing a user did is
 * overwritten; the report names each row). Each project is written in one target transaction,
 * then read back and compared row by row and by checksum.
 */
/** The text of an artifact row that holds none, from wherever the caller can read it (a local file). */
export type LocalText = (project: string, row: Row) => Promise<string | undefined>;

export async function copyStore(
  from: Db,
  to: Db,
  opts: { readonly projects: readonly string[]; readonly dryRun: boolean; readonly localText?: LocalText },
): Promise<CopyReport> {
  const projects: ProjectCopy[] = [];
  for (const project of opts.projects) {
    projects.push(
      await copyProject(
        from as unknown as AnyDb,
        to as unknown as AnyDb,
        project,
        opts.dryRun,
        opts.localText,
      ),
    );
  }
  return { dryRun: opts.dryRun, projects };
}

interface Plan {
  readonly table: CopyTable;
  readonly filled: number;
  readonly withoutText: string[];
  readonly valid: Row[];
  readonly toWrite: Row[];
  readonly present: number;
  readonly conflicts: { key: string; columns: string[] }[];
  readonly refused: { key: string; reason: string }[];
}

async function copyProject(
  from: AnyDb,
  to: AnyDb,
  project: string,
  dryRun: boolean,
  localText: LocalText | undefined,
): Promise<ProjectCopy> {
  const refusedIds = { plans: new Set<string>(), tasks: new Set<string>() };
  const plans: Plan[] = [];
  for (const table of COPY_TABLES) {
    const read = await readRows(from, table, project);
    const {
      rows: source,
      filled,
      withoutText,
    } = table.name === "artifacts"
      ? await fillTexts(project, read, localText)
      : { rows: read, filled: 0, withoutText: [] };
    const target = await readRows(to, table, project);
    plans.push({ ...planTable(table, source, target, refusedIds), filled, withoutText });
  }
  const blocked = plans.some((p) => p.conflicts.length > 0);
  if (!dryRun && !blocked) {
    await to.transaction().execute(async (trx) => {
      for (const p of plans) await insertRows(trx, p.table, p.toWrite);
    });
  }
  const written = !dryRun && !blocked;
  const tables: TableCopy[] = [];
  let verified = true;
  for (const p of plans) {
    let targetChecksum: string | null = null;
    if (written) {
      const check = await verifyTable(to, p.table, project, p.valid);
      targetChecksum = check.checksum;
      verified &&= check.ok;
    }
    tables.push({
      table: p.table.name,
      source: p.valid.length + p.refused.length,
      copied: p.toWrite.length,
      present: p.present,
      conflicts: p.conflicts,
      refused: p.refused,
      filled: p.filled,
      withoutText: p.withoutText,
      sourceChecksum: checksum(p.table, p.valid),
      targetChecksum,
    });
  }
  return { project, tables, verified: written ? verified : null };
}

/**
 * Artifact rows from before texts were kept in the store hold their text only in one machine's
 * file: read it there (when the caller can) so the copy carries it to every machine.
 */
async function fillTexts(
  project: string,
  rows: readonly Row[],
  localText: LocalText | undefined,
): Promise<{ rows: Row[]; filled: number; withoutText: string[] }> {
  let filled = 0;
  const withoutText: string[] = [];
  const out: Row[] = [];
  for (const row of rows) {
    if (row.content !== null && row.content !== undefined) {
      out.push(row);
      continue;
    }
    const text = localText ? await localText(project, row) : undefined;
    if (text === undefined) {
      withoutText.push(String(row.id));
      out.push(row);
    } else {
      filled++;
      out.push({ ...row, content: text });
    }
  }
  return { rows: out, filled, withoutText };
}

function planTable(
  table: CopyTable,
  source: readonly Row[],
  target: readonly Row[],
  refusedIds: { plans: Set<string>; tasks: Set<string> },
): Omit<Plan, "filled" | "withoutText"> {
  const valid: Row[] = [];
  const refused: { key: string; reason: string }[] = [];
  for (const row of source) {
    const why = refusal(table, row, refusedIds);
    if (why === undefined) {
      valid.push(row);
      continue;
    }
    refused.push({ key: describeKey(table, row), reason: why });
    if (table.name === "plans") refusedIds.plans.add(String(row.id));
    if (table.name === "tasks") refusedIds.tasks.add(String(row.id));
  }
  const toWrite: Row[] = [];
  const conflicts: { key: string; columns: string[] }[] = [];
  let present = 0;
  if (table.key) {
    const held = new Map(target.map((r) => [rowKey(table, r), r]));
    for (const row of valid) {
      const there = held.get(rowKey(table, row));
      if (!there) toWrite.push(row);
      else if (canonicalRow(table, there) === canonicalRow(table, row)) present++;
      else conflicts.push({ key: describeKey(table, row), columns: differingColumns(table, row, there) });
    }
  } else {
    // The history has no key: an event is present when the target holds one with the same content,
    // counted, so two identical events in the source need two in the target.
    const held = countBy(target.map((r) => canonicalRow(table, r)));
    for (const row of valid) {
      const c = canonicalRow(table, row);
      const n = held.get(c) ?? 0;
      if (n > 0) {
        held.set(c, n - 1);
        present++;
      } else toWrite.push(row);
    }
  }
  return { table, valid, toWrite, present, conflicts, refused };
}

async function readRows(db: AnyDb, table: CopyTable, project: string): Promise<Row[]> {
  let q = db.selectFrom(table.name).selectAll().where(table.scope, "=", project);
  // The history keeps its order; keyed tables are compared by key, so any order will do.
  if (!table.key) q = q.orderBy("seq");
  return (await q.execute()) as Row[];
}

const CHUNK = 200;

async function insertRows(db: AnyDb, table: CopyTable, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((r) => withoutGenerated(table, r));
    if (table.key) {
      // A row that appeared since the plan was made (a server writing meanwhile) is kept as the
      // target has it; the read-back below then reports it.
      await db
        .insertInto(table.name)
        .values(values)
        .onConflict((oc) => oc.doNothing())
        .execute();
    } else {
      await db.insertInto(table.name).values(values).execute();
    }
  }
}

function withoutGenerated(table: CopyTable, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!table.generated.includes(k)) out[k] = v;
  return out;
}

async function verifyTable(
  db: AnyDb,
  table: CopyTable,
  project: string,
  source: readonly Row[],
): Promise<{ ok: boolean; checksum: string }> {
  const target = await readRows(db, table, project);
  const matched: Row[] = [];
  let ok = true;
  if (table.key) {
    const held = new Map(target.map((r) => [rowKey(table, r), r]));
    for (const row of source) {
      const there = held.get(rowKey(table, row));
      if (!there || canonicalRow(table, there) !== canonicalRow(table, row)) ok = false;
      if (there) matched.push(there);
    }
  } else {
    const held = countBy(target.map((r) => canonicalRow(table, r)));
    const byText = new Map(target.map((r) => [canonicalRow(table, r), r]));
    for (const row of source) {
      const c = canonicalRow(table, row);
      const n = held.get(c) ?? 0;
      if (n === 0) {
        ok = false;
        continue;
      }
      held.set(c, n - 1);
      matched.push(byText.get(c) as Row);
    }
  }
  const sum = checksum(table, matched);
  return { ok: ok && sum === checksum(table, source), checksum: sum };
}

function countBy(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

function describeKey(table: CopyTable, row: Row): string {
  if (!table.key) return `event at ${String(row.at)} (${String(row.kind)})`;
  return table.key
    .filter((c) => c !== table.scope)
    .map((c) => String(row[c]))
    .join(" → ");
}
