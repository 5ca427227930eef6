import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_HEADER, generateDocs, ROOT } from "../../scripts/gen-docs.ts";

// The reference pages are generated from the code; a change to a tool, command, error code or
// client that is not followed by `bun scripts/gen-docs.ts` fails here instead of shipping stale docs.
test("docs/reference matches what the code generates", async () => {
  const docs = await generateDocs();
  expect(Object.keys(docs).length).toBeGreaterThan(0);
  for (const [rel, generated] of Object.entries(docs)) {
    expect(generated.startsWith(`${GENERATED_HEADER}\n`)).toBe(true);
    let committed: string | undefined;
    try {
      committed = readFileSync(join(ROOT, rel), "utf8");
    } catch {
      committed = undefined;
    }
    if (committed !== generated) {
      throw new Error(
        `${rel} is ${committed === undefined ? "missing" : "out of date"}: run 'bun scripts/gen-docs.ts' and commit the result.`,
      );
    }
  }
}, 60_000);
