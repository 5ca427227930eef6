import { afterAll } from "bun:test";
import { stopEmbeddedServers } from "./_embedded-postgres.ts";

// Preloaded by bunfig.toml: a hook here runs once, after every test file of the `bun test` process.
afterAll(stopEmbeddedServers);
