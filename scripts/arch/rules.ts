import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { filesOnCycles, importsOf, resolveRelative, withoutComments } from "./imports.ts";

/** The structural rules of AGENTS.md and issue 12, each cheap to check on every `bun run check`. */
export const RULES = {
  "core-imports": "src/core imports only zod and other src/core modules",
  "sql-outside-store": "Kysely query builders and sql templates live in src/store",
  "import-cycle": "no import cycles in src/ (type-only and dynamic imports count)",
  "file-size": "no file in src/ passes 400 lines",
  "app-node-fs": "use-cases (src/app) reach files through ports, never node:fs",
} as const;
export type Rule = keyof typeof RULES;

export interface Violation {
  readonly rule: Rule;
  /** Repository-relative POSIX path. */
  readonly file: string;
  readonly detail: string;
}

export const MAX_LINES = 400;

/** Query-builder entry points (`.with("cte", …)` is Kysely's; Array#with takes a number) and `sql` templates. */
const SQL_PATTERNS: readonly [RegExp, string][] = [
  [/\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(/, "query builder"],
  [/\.with(Recursive)?\(\s*["'`]/, "query builder (CTE)"],
  [/\bsql\s*(<[^`;]*>)?\s*`/, "sql template"],
  [/\bsql\.(raw|ref|lit|id|join|table|val|value)\(/, "sql helper"],
];

/** Every violation under `root/src`, in a stable order. */
export function findViolations(root: string): Violation[] {
  const files = listTs(join(root, "src")).map((abs) => ({
    file: relative(root, abs).replaceAll("\\", "/"),
    source: readFileSync(abs, "utf8"),
  }));
  const out: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const { file, source } of files) {
    const specifiers = importsOf(source);
    graph.set(
      file,
      specifiers.map((s) => resolveRelative(file, s)).filter((f): f is string => f !== null),
    );
    out.push(...checkFile(file, source, specifiers));
  }
  for (const [file, cycle] of filesOnCycles(graph)) {
    out.push({ rule: "import-cycle", file, detail: cycle.join(" → ") });
  }
  return out.sort((a, b) => a.rule.localeCompare(b.rule) || a.file.localeCompare(b.file));
}

function checkFile(file: string, source: string, specifiers: readonly string[]): Violation[] {
  const out: Violation[] = [];
  const lines = source.endsWith("\n") ? source.split("\n").length - 1 : source.split("\n").length;
  if (lines > MAX_LINES) out.push({ rule: "file-size", file, detail: `${lines} lines (limit ${MAX_LINES})` });
  if (file.startsWith("src/core/")) {
    for (const s of specifiers) {
      const target = resolveRelative(file, s);
      const pure = target === null ? s === "zod" || s.startsWith("zod/") : target.startsWith("src/core/");
      if (!pure) out.push({ rule: "core-imports", file, detail: `imports ${s}` });
    }
  }
  if (file.startsWith("src/app/")) {
    for (const s of specifiers) {
      if (s === "node:fs" || s === "node:fs/promises" || s === "fs" || s === "fs/promises") {
        out.push({ rule: "app-node-fs", file, detail: `imports ${s}` });
      }
    }
  }
  if (!file.startsWith("src/store/")) {
    const code = withoutComments(source).split("\n");
    code.forEach((line, i) => {
      for (const [pattern, what] of SQL_PATTERNS) {
        if (pattern.test(line)) {
          out.push({ rule: "sql-outside-store", file, detail: `line ${i + 1}: ${what}: ${line.trim()}` });
        }
      }
    });
  }
  return out;
}

/** `.ts` files under `dir`, recursively, sorted; declaration files are not modules of ours. */
function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}
