import type { Migration, MigrationProvider } from "kysely/migration";
import { initial } from "./2026_11_24_000000_initial.ts";
import { claimHolder } from "./2026_11_30_000000_claim_holder.ts";
import { requestResults } from "./2026_11_30_000100_request_results.ts";
import { tokens } from "./2026_12_01_000300_tokens.ts";

/**
 * Every migration, statically imported so the compiled binary carries them. Names are dated and
 * sort in order; a released migration is never edited, only followed by a new one.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "2026_11_24_000000_initial": initial,
  "2026_11_30_000000_claim_holder": claimHolder,
  "2026_11_30_000100_request_results": requestResults,
  "2026_12_01_000300_tokens": tokens,
};

/** Kysely's provider over the static record (FileMigrationProvider would need a real folder at run time). */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
