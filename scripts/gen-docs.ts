/**
 * Generates docs/reference/{tools,cli,errors,clients}.md from the code itself: the tools as a
 * real in-process server lists them (with one real call each), the cac commands, the error
 * catalogue and the client table. One module per page in scripts/docs/, plus the capture run
 * (capture.ts, examples.ts, normalize.ts) and the Markdown helpers they share.
 *
 *   bun scripts/gen-docs.ts           write the pages
 *   bun scripts/gen-docs.ts --check   exit 1 and name the pages that differ from the code
 *
 * tests/unit/docs-fresh.test.ts runs the check, so the committed pages cannot drift.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { capture } from "./docs/capture.ts";
import { cliPage } from "./docs/cli-page.ts";
import { clientsPage } from "./docs/clients-page.ts";
import { errorsPage } from "./docs/errors-page.ts";
import { toolsPage } from "./docs/tools-page.ts";

export { GENERATED_HEADER } from "./docs/markdown.ts";
export const ROOT = join(import.meta.dir, "..");

/** Every generated page: path relative to the repository root → content. */
export async function generateDocs(): Promise<Record<string, string>> {
  const cap = await capture();
  return {
    "docs/reference/tools.md": toolsPage(cap),
    "docs/reference/cli.md": await cliPage(),
    "docs/reference/errors.md": errorsPage(cap),
    "docs/reference/clients.md": clientsPage(),
  };
}

/** Pages whose committed text differs from what the code generates. */
export function staleFiles(docs: Record<string, string>, root = ROOT): string[] {
  return Object.entries(docs)
    .filter(([rel, content]) => {
      try {
        return readFileSync(join(root, rel), "utf8") !== content;
      } catch {
        return true;
      }
    })
    .map(([rel]) => rel);
}

if (import.meta.main) {
  const docs = await generateDocs();
  if (process.argv.includes("--check")) {
    const stale = staleFiles(docs);
    if (stale.length > 0) {
      console.error(
        `Stale generated docs (run 'bun scripts/gen-docs.ts'):\n${stale.map((f) => `  ${f}`).join("\n")}`,
      );
      process.exit(1);
    }
    console.log(`${Object.keys(docs).length} generated pages are up to date.`);
  } else {
    for (const [rel, content] of Object.entries(docs)) {
      const path = join(ROOT, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${rel}`);
    }
  }
}
