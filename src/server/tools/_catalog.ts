import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { ID_MAX_LENGTH, ID_PATTERN } from "../../core/ids.ts";

/** The part of McpServer a tool file uses, so the catalog sees every definition it registers. */
export type ToolHost = Pick<McpServer, "registerTool">;

type JsonSchema = Record<string, unknown>;
type Shape = z.ZodRawShape | z.ZodObject;

interface Definition {
  readonly name: string;
  readonly config: {
    title?: string;
    description?: string;
    inputSchema?: Shape;
    outputSchema?: Shape;
    annotations?: Tool["annotations"];
  };
}

/**
 * One tool as a client sees it in `tools/list` (`wire`), plus its full output schema with field
 * descriptions (`output`), which the reference docs are generated from but no client is sent.
 */
export interface CatalogEntry {
  readonly wire: Tool;
  readonly output: JsonSchema | undefined;
}

/**
 * Records each tool registered through the returned host and answers `tools/list` itself from
 * definitions computed once (the SDK converts every zod schema again on each call). What it sends
 * is sized for a model's context: no `$schema` or `execution` (the defaults), and each output
 * schema cut to its top-level fields and their types, nullable ones as `anyOf` (no `type` arrays,
 * which single-type dialects such as Gemini's function declarations reject). The SDK still
 * validates arguments against the full zod schemas (results only under test: sdk-compat.ts).
 */
export function createToolCatalog(server: McpServer): {
  host: ToolHost;
  /** Call once every tool is registered: from then on tools/list is answered from the catalog. */
  install: () => void;
  entries: () => readonly CatalogEntry[];
} {
  const definitions: Definition[] = [];
  const host = {
    registerTool: (name: string, config: Definition["config"], cb: unknown) => {
      definitions.push({ name, config });
      return (server.registerTool as (n: string, c: unknown, h: unknown) => unknown)(name, config, cb);
    },
  } as unknown as ToolHost;
  let computed: readonly CatalogEntry[] | undefined;
  const entries = (): readonly CatalogEntry[] => {
    computed ??= definitions.map(catalogEntry);
    return computed;
  };
  const install = (): void => {
    if (definitions.length === 0) return;
    // McpServer installed its own handler at the first registerTool; ours answers instead.
    server.server.removeRequestHandler("tools/list");
    server.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: entries().map((e) => e.wire),
    }));
  };
  return { host, install, entries };
}

function catalogEntry({ name, config }: Definition): CatalogEntry {
  const input = toJson(config.inputSchema, "input");
  const output = config.outputSchema ? toJson(config.outputSchema, "output") : undefined;
  const wire: Tool = {
    name,
    ...(config.title ? { title: config.title } : {}),
    ...(config.description ? { description: config.description } : {}),
    inputSchema: (input ? briefInput(input) : { type: "object", properties: {} }) as Tool["inputSchema"],
    ...(output ? { outputSchema: briefOutput(output) as Tool["outputSchema"] } : {}),
    ...(config.annotations ? { annotations: config.annotations } : {}),
  };
  return { wire, output };
}

function toJson(shape: Shape | undefined, io: "input" | "output"): JsonSchema | undefined {
  if (!shape) return undefined;
  const object = shape instanceof z.ZodObject ? shape : z.object(shape);
  const { $schema: _dialect, ...schema } = z.toJSONSchema(object, { target: "draft-7", io });
  return schema;
}

/**
 * An input schema without the bounds that tell a model nothing: `minLength: 1` (an empty id or path
 * is refused with INVALID_INPUT anyway), zod's ±Number.MAX_SAFE_INTEGER on integers, and the
 * abuse guards of 1,000 characters or items and more, which no real call comes near, and the id
 * rule's pattern. Every other
 * constraint, default and description stays; the SDK still validates against the full schema.
 */
export function briefInput(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  // Ids are the server's own, copied back by the model: the id rule's pattern and length (core/ids)
  // guard against hostile input, which the server refuses with the rule in words anyway.
  const isId = schema.pattern === ID_PATTERN.source;
  for (const [k, v] of Object.entries(schema)) {
    if (isNoise(k, v)) continue;
    if (isId && (k === "pattern" || (k === "maxLength" && v === ID_MAX_LENGTH))) continue;
    if (k === "properties" && v && typeof v === "object")
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, JsonSchema>).map(([name, sub]) => [name, briefInput(sub)]),
      );
    else if (k === "items" && v && typeof v === "object" && !Array.isArray(v))
      out[k] = briefInput(v as JsonSchema);
    else out[k] = v;
  }
  return out;
}

function isNoise(keyword: string, value: unknown): boolean {
  if (typeof value !== "number") return false;
  switch (keyword) {
    case "minLength":
      return value === 1;
    case "minimum":
    case "maximum":
      return Math.abs(value) === Number.MAX_SAFE_INTEGER;
    case "maxLength":
    case "maxItems":
      return value >= 1000;
    default:
      return false;
  }
}

/** The top-level fields of an output schema with their types only: what a caller can rely on. */
export function briefOutput(full: JsonSchema): JsonSchema {
  const properties = (full.properties ?? {}) as Record<string, JsonSchema>;
  return {
    type: "object",
    properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, briefField(k, v)])),
    ...(Array.isArray(full.required) && full.required.length > 0 ? { required: full.required } : {}),
  };
}

function briefField(name: string, s: JsonSchema): JsonSchema {
  const branches: JsonSchema[] = Array.isArray(s.anyOf)
    ? (s.anyOf as JsonSchema[])
    : Array.isArray(s.type)
      ? (s.type as string[]).map((type) => ({ ...s, type }))
      : [s];
  const types = branches.map((b) => {
    if (typeof b.type !== "string") throw new Error(`output field ${name} has no single type`);
    // A list of plain values says what it holds in a few bytes; objects stay opaque here.
    const items = b.items as JsonSchema | undefined;
    return b.type === "array" && typeof items?.type === "string" && items.type !== "object"
      ? { type: "array", items: { type: items.type } }
      : { type: b.type };
  });
  return types.length === 1 ? (types[0] as JsonSchema) : { anyOf: types };
}
