#!/usr/bin/env bun
import { main } from "../src/cli/main.ts";

// No top-level await: `bun build --bytecode` rejects it in the entry file.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`orchestrator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
