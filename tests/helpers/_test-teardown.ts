import { afterAll } from "bun:test";
import { stopEmbeddedServers } from "./_embedded-postgres.ts";
import { finishTestStore, setUpTestStore } from "./test-store.ts";

// Preloaded by bunfig.toml. Under ORCHESTRATOR_TEST_STORE=postgres the process's test database is
// made before the first file loads (scripts/test-pg.ts runs one file per process).
await setUpTestStore();

// A hook here runs once, after every test file of the `bun test` process: the test database is
// checked and dropped before the PostgreSQL servers the tests started are stopped.
afterAll(async () => {
  try {
    await finishTestStore();
  } finally {
    await stopEmbeddedServers();
  }
}, 30_000);
