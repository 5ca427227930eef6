/** docs/reference/tools.md: every tool, its schemas and a captured example. */
import type { ToolProfile } from "../../src/server/profiles.ts";
import type { Capture } from "./capture.ts";
import type { Example } from "./examples.ts";
import { code, fence, md, page, table } from "./markdown.ts";

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema => (v && typeof v === "object" ? (v as Schema) : {});

function constraints(s: Schema): string {
  const range = (min: unknown, max: unknown, unit: string): string | undefined => {
    const lo = typeof min === "number" ? min : undefined;
    const hi = typeof max === "number" ? max : undefined;
    if (lo === undefined && hi === undefined) return undefined;
    const u = unit ? ` ${unit}` : "";
    if (lo !== undefined && hi !== undefined) return `${lo}–${hi}${u}`;
    return lo !== undefined ? `≥ ${lo}${u}` : `≤ ${hi}${u}`;
  };
  const parts = [
    range(s.minLength, s.maxLength, "chars"),
    range(s.minimum, s.maximum, ""),
    range(s.minItems, s.maxItems, "items"),
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

/** A JSON schema as a short type expression: `string`, `"a" | "b"`, `object[]`, `number | null`. */
function typeOf(s: Schema): string {
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
  const alts = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as
    | unknown[]
    | undefined;
  if (alts) return alts.map((a) => typeOf(asSchema(a))).join(" | ");
  if (Array.isArray(s.type)) return s.type.map((t) => typeOf({ ...s, type: t })).join(" | ");
  switch (s.type) {
    case "array": {
      const item = typeOf(asSchema(s.items));
      return `${item.includes(" | ") ? `(${item})` : item}[]${constraints(s)}`;
    }
    case "object": {
      const extra = s.additionalProperties;
      if (!s.properties && extra && typeof extra === "object") {
        return `Record<string, ${typeOf(asSchema(extra))}>`;
      }
      return "object";
    }
    case "string":
    case "number":
    case "integer":
    case "boolean":
      return `${s.type}${constraints(s)}`;
    case "null":
      return "null";
    default:
      return "any";
  }
}

function description(s: Schema): string {
  return typeof s.description === "string" ? s.description : "";
}

/** The object schema inside an array or nullable wrapper, if it has properties of its own. */
function nestedObject(s: Schema): Schema | undefined {
  if (s.type === "object" && s.properties) return s;
  if (s.type === "array") return nestedObject(asSchema(s.items));
  for (const a of (Array.isArray(s.anyOf) ? s.anyOf : []) as unknown[]) {
    const o = nestedObject(asSchema(a));
    if (o) return o;
  }
  return undefined;
}

function suffixFor(s: Schema): string {
  return s.type === "array" ? "[]" : "";
}

function inputRows(obj: Schema, prefix: string): string[][] {
  const required = new Set((Array.isArray(obj.required) ? obj.required : []) as string[]);
  const rows: string[][] = [];
  for (const [name, raw] of Object.entries(asSchema(obj.properties))) {
    const s = asSchema(raw);
    const full = `${prefix}${name}`;
    rows.push([
      code(full),
      typeOf(s),
      required.has(name) ? "yes" : "no",
      "default" in s ? code(JSON.stringify(s.default)) : "",
      description(s),
    ]);
    const inner = nestedObject(s);
    if (inner) rows.push(...inputRows(inner, `${full}${suffixFor(s)}.`));
  }
  return rows;
}

function outputRows(obj: Schema): string[][] {
  const required = new Set((Array.isArray(obj.required) ? obj.required : []) as string[]);
  return Object.entries(asSchema(obj.properties)).map(([name, raw]) => {
    const s = asSchema(raw);
    return [code(name), `${typeOf(s)}${required.has(name) ? "" : " (optional)"}`, description(s)];
  });
}

function profileText(p: { profiles: ToolProfile[]; supervisedOnly: boolean }): string {
  return p.supervisedOnly
    ? `${p.profiles.join(", ")} (only under serve's supervisor)`
    : p.profiles.join(", ");
}

function exampleSection(cap: Capture, ex: Example): string {
  const text = ex.result.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("\n");
  return [
    "### Example",
    "Arguments:",
    fence("json", JSON.stringify(cap.normalize.json(ex.args), null, 2)),
    "Result (`structuredContent`):",
    fence("json", JSON.stringify(cap.normalize.json(ex.result.structuredContent ?? null), null, 2)),
    "Text content:",
    fence("text", cap.normalize.text(text)),
  ].join("\n\n");
}

export function toolsPage(cap: Capture): string {
  const overview = table(
    ["tool", "title", "profiles", "read-only"],
    cap.tools.map((t) => [
      `[${code(t.name)}](#${t.name})`,
      t.title ?? "",
      profileText(cap.profiles.get(t.name) ?? { profiles: [], supervisedOnly: false }),
      t.annotations?.readOnlyHint ? "yes" : "no",
    ]),
  );
  const sections = cap.tools.map((t) => {
    const ex = cap.examples.get(t.name);
    const profile = cap.profiles.get(t.name) ?? { profiles: [], supervisedOnly: false };
    const ann = Object.entries(t.annotations ?? {})
      .filter(([k]) => k !== "title")
      .map(([k, v]) => code(`${k}: ${JSON.stringify(v)}`))
      .join(" · ");
    const inputs = inputRows(asSchema(t.inputSchema), "");
    const parts = [
      `## ${t.name}`,
      `**${t.title ?? t.name}** · profiles: ${profileText(profile)}`,
      md(t.description ?? ""),
      `Annotations: ${ann || "none"}`,
      "### Input",
      inputs.length > 0
        ? table(["parameter", "type", "required", "default", "description"], inputs)
        : "No parameters.",
      "### Output (`structuredContent`, top-level fields)",
      cap.outputs.has(t.name)
        ? table(["field", "type", "description"], outputRows(asSchema(cap.outputs.get(t.name))))
        : "No output schema.",
    ];
    if (ex) parts.push(exampleSection(cap, ex));
    else if (profile.supervisedOnly) {
      parts.push(
        "### Example",
        "Calls to this tool never reach the server worker: serve's supervisor answers them, since it owns the worker and its restarts. No example is captured here; see [docs/reboot.md](../reboot.md).",
      );
    }
    return parts.join("\n\n");
  });
  return page(
    "MCP tools",
    [
      "Every tool the server can list, in the order `tools/list` gives them. Which ones a client sees depends on the profile chosen with `serve --tools` (or `ORCHESTRATOR_TOOLS`): `core`, `standard` (default) or `all`.",
      "Parameters come from the input schemas `tools/list` returns. Output fields come from each tool's full output schema: to keep a model's context small, `tools/list` sends it cut to the top-level fields and their types (nullable ones as `anyOf` with `null`), and leaves out the input bounds no real call comes near (`minLength: 1`, limits of 1,000 characters or items and more); the server still enforces them. Each example is a real call against a fresh workspace, made while generating this page; values that change from run to run (ids, timestamps, paths, pids, sizes, durations, versions) are replaced by placeholders such as `<plan_id>`, `<timestamp>` and `<workspace>`, and strings longer than 300 characters are cut with `…`.",
      "A tool that fails returns an `isError` result whose text starts with an error code; see [errors.md](errors.md).",
      overview,
    ].join("\n\n"),
    sections,
  );
}
