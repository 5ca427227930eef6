import { describe, expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { CONTEXT_BUDGET, contextBytes } from "../../bench/versus.ts";
import { listedTools } from "../../scripts/tool-lists.ts";
import type { ToolProfile } from "../../src/server/profiles.ts";
import { call, callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// Issue 16: what tools/list costs a model is deterministic, so its budgets are held here; the
// timing targets live in `bun run bench`.

/** Exactly what tools/list answers for a profile (the catalog's wire definitions). */
const listed = (tools: ToolProfile, supervised = false): Tool[] => listedTools(tools, supervised);

describe("what tools/list costs a model", () => {
  test.each([
    ["core", CONTEXT_BUDGET.core],
    ["standard", CONTEXT_BUDGET.standard],
  ] as const)("%s: names, descriptions and input schemas fit in %d bytes", (profile, budget) => {
    expect(contextBytes(listed(profile)).model).toBeLessThanOrEqual(budget);
  });

  test(`the default (standard) tools/list fits in ${CONTEXT_BUDGET.tools_list} bytes of compact JSON`, () => {
    const bytes = contextBytes(listed("standard"));
    expect(bytes.tools).toBe(14);
    expect(bytes.tools_list).toBeLessThanOrEqual(CONTEXT_BUDGET.tools_list);
  });
});

describe("what tools/list leaves out is still enforced", () => {
  test("bounds cut from the wire refuse bad input; the cut output schema accepts real results", async () => {
    const plan = listed("standard").find((t) => t.name === "orchestrator_plan_task")!;
    const props = plan.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.description).not.toHaveProperty("minLength");
    expect(props.context).not.toHaveProperty("maxLength");
    expect(props.request_id).toHaveProperty("maxLength", 128);

    const project = makeProject();
    const conn = await connectInMemory({ cwd: project.dir, workspace: project.dir });
    try {
      await conn.client.listTools(); // the SDK client validates results against what it lists
      for (const args of [{ description: "" }, { description: "x", context: "c".repeat(100_001) }]) {
        const r = await call(conn.client, "orchestrator_plan_task", {
          subtasks: [{ title: "a", specialist_type: "tester" }],
          ...args,
        });
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain("INVALID_INPUT");
      }
      const ok = await callOk(conn.client, "orchestrator_plan_task", {
        description: "x",
        subtasks: [{ title: "a", specialist_type: "tester" }],
      });
      expect(ok.parent_task_id).toMatch(/^task_/);
    } finally {
      await conn.close();
      project.cleanup();
    }
  });
});

// The rules of the MCP Inspector CLI's schema portability check (`--strict`, inspector 2.12.0,
// core/json/schemaLint.ts), which flagged 46 nullable `type: [X, "null"]` arrays here before.
const CONSTRAINING = new Set(
  "type enum const multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength pattern format contentMediaType contentEncoding contentSchema maxItems minItems uniqueItems maxContains minContains maxProperties minProperties required dependentRequired allOf anyOf oneOf not items prefixItems contains additionalItems unevaluatedItems properties patternProperties additionalProperties unevaluatedProperties propertyNames dependentSchemas dependencies $ref $dynamicRef $recursiveRef".split(
    " ",
  ),
);
const MAP_KEYWORDS = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];
const ARRAY_KEYWORDS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SINGLE_KEYWORDS = ["items", "contains", "not", "propertyNames", "if", "then", "else", "contentSchema"];
const BOOLEAN_OK = ["additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"];

function portabilityFindings(schema: unknown, path: string, keyword?: string): string[] {
  if (typeof schema === "boolean")
    return keyword && BOOLEAN_OK.includes(keyword) ? [] : [`${path}: bare boolean schema`];
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return [];
  const node = schema as Record<string, unknown>;
  const found: string[] = [];
  if (Array.isArray(node.type)) found.push(`${path}: type is an array ${JSON.stringify(node.type)}`);
  if (typeof node.$ref === "string" && !node.$ref.startsWith("#")) found.push(`${path}: remote $ref`);
  const constrains =
    Object.keys(node).some((k) => CONSTRAINING.has(k)) ||
    ("if" in node && ("then" in node || "else" in node));
  if (!constrains && keyword !== "not") found.push(`${path}: untyped schema`);
  for (const k of MAP_KEYWORDS)
    for (const [name, sub] of Object.entries((node[k] ?? {}) as Record<string, unknown>))
      found.push(...portabilityFindings(sub, `${path}.${k}.${name}`, k));
  for (const k of ARRAY_KEYWORDS)
    if (Array.isArray(node[k]))
      (node[k] as unknown[]).forEach((sub, i) => {
        found.push(...portabilityFindings(sub, `${path}.${k}[${i}]`, k));
      });
  for (const k of [...SINGLE_KEYWORDS, ...BOOLEAN_OK])
    if (k in node) found.push(...portabilityFindings(node[k], `${path}.${k}`, k));
  return found;
}

describe("schema portability (Inspector --strict rules)", () => {
  test("the linter flags what the Inspector flags", () => {
    expect(portabilityFindings({ type: ["string", "null"] }, "s")).toEqual([
      's: type is an array ["string","null"]',
    ]);
    expect(portabilityFindings({ properties: { a: {} } }, "s")).toEqual(["s.properties.a: untyped schema"]);
    expect(portabilityFindings({ anyOf: [{ type: "string" }, { type: "null" }] }, "s")).toEqual([]);
  });

  test.each([
    ["core", false],
    ["standard", false],
    ["all", true],
  ] as const)(
    "%s profile (supervised: %p): no findings in any input or output schema",
    (profile, supervised) => {
      const findings = listed(profile, supervised).flatMap((t) => [
        ...portabilityFindings(t.inputSchema, `${t.name}.inputSchema`),
        ...(t.outputSchema ? portabilityFindings(t.outputSchema, `${t.name}.outputSchema`) : []),
      ]);
      expect(findings).toEqual([]);
    },
  );
});
