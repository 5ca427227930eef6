/**
 * The CLI's `--json` output uses snake_case keys, like the MCP tool results and `export`, so a
 * script reads one naming style everywhere; the domain objects inside are camelCase.
 */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      snakeCaseKeys(v),
    ]),
  );
}
