#!/usr/bin/env bun
import { main } from "../src/cli/main.ts";

// No top-level await: `bun build --bytecode` rejects it in the entry file.
main(process.argv.slice(2)).then(
  (code) => {
    // A command that succeeded still fails when its output could not be written (cli/output.ts).
    process.exitCode = code === 0 ? (process.exitCode ?? 0) : code;
  },
  (e: unknown) => {
    process.stderr.write(`orchestrator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
