import { dirname, join, normalize } from "node:path";

/**
 * Import specifiers of a TypeScript source, type-only and dynamic ones included: a type-only
 * import still ties two modules together, which is what the cycle rule is about. A regex, not
 * a parser: the sources are Biome-formatted (one statement per `;`), so `from "x"` only closes
 * an import or export statement.
 */
export function importsOf(source: string): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gms))
    found.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]!);
  return found;
}

/**
 * `source` with comment lines blanked (kept as empty lines, so line numbers stay): `//` lines and
 * the lines of `/* … *\/` blocks. Trailing comments after code stay; they rarely hold code-like text.
 */
export function withoutComments(source: string): string {
  let inBlock = false;
  return source
    .split("\n")
    .map((line) => {
      const t = line.trim();
      if (inBlock) {
        if (t.includes("*/")) inBlock = false;
        return "";
      }
      if (t.startsWith("//")) return "";
      if (t.startsWith("/*")) {
        inBlock = !t.includes("*/");
        return "";
      }
      return line;
    })
    .join("\n");
}

/** The file a relative specifier names (as the repository writes them: with `.ts`), or null for packages. */
export function resolveRelative(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  return normalize(join(dirname(fromFile), specifier)).replaceAll("\\", "/");
}

/**
 * Every file that lies on an import cycle, each with one shortest cycle through it. Files are
 * the graph's nodes (`graph.get(a)` = the files `a` imports).
 */
export function filesOnCycles(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const start of [...graph.keys()].sort()) {
    const cycle = shortestCycleThrough(graph, start);
    if (cycle) out.set(start, cycle);
  }
  return out;
}

/** Breadth-first from `start` back to itself: `[start, …, start]`, or null. */
function shortestCycleThrough(graph: ReadonlyMap<string, readonly string[]>, start: string): string[] | null {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (parent.has(next) || !graph.has(next)) continue;
      parent.set(next, node);
      queue.push(next);
    }
  }
  return null;
}
