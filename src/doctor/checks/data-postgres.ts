import { isOrchestratorError } from "../../core/errors.ts";
import { type Finding, fail, ok } from "../report.ts";

/**
 * The database check for a PostgreSQL `--db`: reachable, server version, schema. Nothing is
 * migrated or written. (The file checks of a SQLite database do not apply.)
 */
export async function checkPostgresDatabase(url: string): Promise<Finding[]> {
  const { inspectPostgres } = await import("../../store/postgres/inspect.ts");
  try {
    const found = await inspectPostgres(url);
    const at = `${found.where} (PostgreSQL ${found.serverVersion})`;
    if (found.unknown.length > 0) {
      return [
        fail(
          "data",
          "data.schema",
          "Schema version",
          `${at}: migrated by a newer orchestrator (${found.unknown.join(", ")})`,
          "Upgrade this binary to the version that wrote the database.",
        ),
      ];
    }
    const schema =
      found.missing.length > 0
        ? `${found.applied.at(-1) ?? "empty"}; ${found.missing.length} migration(s) run at the next start`
        : `${found.applied.at(-1)} (current)`;
    return [
      ok("data", "data.database", "Database", `${at} reachable`),
      ok("data", "data.schema", "Schema version", schema),
    ];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const fix = isOrchestratorError(e, "USAGE")
      ? "Correct the URL: postgres://user[:password]@host[:port]/database[?sslmode=require]."
      : "Follow the advice in the message (start the server, create the database, fix the password or sslmode).";
    return [fail("data", "data.database", "Database", message, fix)];
  }
}
