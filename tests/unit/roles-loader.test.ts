import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_ROLES } from "../../src/core/roles/builtin.ts";
import { BUILTIN_ROLE_NAMES } from "../../src/core/roles/role.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";

let workspace: string;

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "orch-roles-"));
});

afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
});

/** Writes `<workspace>/.task_orchestrator/roles/<name>` and returns its path. */
function writeRoleFile(name: string, lines: readonly string[]): string {
  const dir = join(workspace, ".task_orchestrator", "roles");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("createRoleLoader().load", () => {
  test("a Python MCP Task Orchestrator project_roles.yaml loads: its task_orchestrator block gives summaries", () => {
    writeRoleFile("project_roles.yaml", [
      "# written by mcp-task-orchestrator 1.8",
      "task_orchestrator:",
      "  role_definition: You are a Task Orchestrator",
      "  specialist_roles:",
      "    architect: Payments architecture",
      "    auditor: Security reviews",
      "architect:",
      "  role_definition: You are a senior software architect for our payments platform.",
      "  expertise:",
      "    - Payment flows and idempotency",
      "auditor:",
      "  role_definition: You audit for security.",
      "  expertise: [OWASP]",
      "  approach: [Threat-model first]",
      "  output_format: Findings by severity.",
    ]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toEqual([]);
    expect(snap.roles.has("task_orchestrator")).toBe(false);
    expect(snap.roles.get("architect")).toMatchObject({
      source: "override",
      summary: "Payments architecture",
      role_definition: "You are a senior software architect for our payments platform.",
      expertise: ["Payment flows and idempotency"],
    });
    expect(snap.roles.get("auditor")).toMatchObject({ source: "custom", summary: "Security reviews" });
  });

  test("no roles folder gives the built-ins only, no error", () => {
    const snap = createRoleLoader().load(workspace);
    expect([...snap.roles.keys()].sort()).toEqual([...BUILTIN_ROLE_NAMES].sort());
    expect([...snap.roles.values()].every((r) => r.source === "builtin")).toBe(true);
    expect(snap.files).toEqual([]);
    expect(snap.errors).toEqual([]);
  });

  test("an empty roles folder gives the built-ins only", () => {
    mkdirSync(join(workspace, ".task_orchestrator", "roles"), { recursive: true });
    const snap = createRoleLoader().load(workspace);
    expect(snap.roles.size).toBe(BUILTIN_ROLE_NAMES.length);
    expect(snap.errors).toEqual([]);
  });

  test("a custom role appears with source custom", () => {
    writeRoleFile("team.yaml", [
      "security_auditor:",
      "  summary: Security review",
      "  role_definition: You audit code for vulnerabilities.",
      "  expertise:",
      "    - OWASP Top 10",
      "    - threat modelling",
      "  approach:",
      "    - Read the code",
      "  output_format: A findings table",
    ]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toEqual([]);
    expect(snap.files).toEqual([".task_orchestrator/roles/team.yaml"]);
    expect(snap.roles.get("security_auditor")).toEqual({
      name: "security_auditor",
      source: "custom",
      summary: "Security review",
      role_definition: "You audit code for vulnerabilities.",
      expertise: ["OWASP Top 10", "threat modelling"],
      approach: ["Read the code"],
      output_format: "A findings table",
    });
    expect(snap.roles.size).toBe(BUILTIN_ROLE_NAMES.length + 1);
  });

  test("overriding only tester.approach keeps the rest of the built-in and sets source override", () => {
    writeRoleFile("tester.yml", [
      "tester:",
      "  approach:",
      "    - Write the failing test first",
      "    - Then fix",
    ]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toEqual([]);
    const tester = snap.roles.get("tester");
    expect(tester?.source).toBe("override");
    expect(tester?.approach).toEqual(["Write the failing test first", "Then fix"]);
    expect(tester?.role_definition).toBe(BUILTIN_ROLES.tester.role_definition);
    expect(tester?.expertise).toEqual(BUILTIN_ROLES.tester.expertise);
    expect(snap.roles.get("architect")?.source).toBe("builtin");
  });

  test("files merge in name order, the later file wins", () => {
    // Written in reverse order so creation order cannot be what decides.
    writeRoleFile("b.yaml", ["tester:", "  summary: from b", "shared_role:", "  summary: from b"]);
    writeRoleFile("a.yaml", [
      "tester:",
      "  summary: from a",
      "  output_format: kept from a",
      "shared_role:",
      "  summary: from a",
    ]);
    writeRoleFile("notes.txt", ["not: a role file"]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toEqual([]);
    expect(snap.files).toEqual([".task_orchestrator/roles/a.yaml", ".task_orchestrator/roles/b.yaml"]);
    expect(snap.roles.get("tester")?.summary).toBe("from b");
    expect(snap.roles.get("tester")?.output_format).toBe("kept from a");
    expect(snap.roles.get("shared_role")?.summary).toBe("from b");
    expect(snap.roles.get("shared_role")?.source).toBe("custom");
    expect(snap.roles.has("not")).toBe(false);
  });

  test("an unclosed quote reports the file and the line where the string opens; other files still load", () => {
    writeRoleFile("a-good.yaml", ["security_auditor:", "  summary: Security review"]);
    writeRoleFile("bad.yaml", [
      "# team roles",
      "release_manager:",
      "  summary: Ships releases",
      "  approach:",
      '    - "Tag the release',
      "    - Publish",
    ]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.roles.get("security_auditor")?.summary).toBe("Security review");
    expect(snap.roles.has("release_manager")).toBe(false);
    expect(snap.files).toEqual([".task_orchestrator/roles/a-good.yaml", ".task_orchestrator/roles/bad.yaml"]);
    expect(snap.errors.length).toBeGreaterThanOrEqual(1);
    const err = snap.errors[0]!;
    expect(err.file).toBe(".task_orchestrator/roles/bad.yaml");
    expect(err.line).toBe(5);
    expect(err.column).toBe(7);
    expect(err.message).toStartWith(".task_orchestrator/roles/bad.yaml line 5: ");
    expect(err.message).toContain("never closed");
    expect(err.message).toContain('expected a closing "');
  });

  test("bad indentation reports the offending line", () => {
    writeRoleFile("indent.yaml", [
      "tester:",
      "  summary: ok",
      "  approach:",
      "    - one",
      " expertise:",
      "    - two",
    ]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.roles.get("tester")?.source).toBe("builtin");
    expect(snap.errors.length).toBeGreaterThanOrEqual(1);
    const err = snap.errors[0]!;
    expect(err.file).toBe(".task_orchestrator/roles/indent.yaml");
    expect(err.line).toBe(5);
    expect(err.message).toContain("line 5:");
    expect(err.message).toContain("invalid YAML");
    expect(err.message).toContain("expected");
  });

  test("a schema error reports the line of the field, and the whole file is skipped", () => {
    const lines = [
      "# custom roles",
      "security_auditor:",
      "  summary: fine",
      "tester:",
      "  summary: Tests things",
      "  role_definition: You test.",
      '  expertise: "not a list"',
    ];
    writeRoleFile("team.yaml", lines);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toHaveLength(1);
    const err = snap.errors[0]!;
    expect(err.file).toBe(".task_orchestrator/roles/team.yaml");
    expect(err.line).toBe(7);
    expect(err.column).toBe(3);
    expect(err.message).toBe(
      '.task_orchestrator/roles/team.yaml line 7: tester.expertise must be a list of strings (one "- item" per line), found a string',
    );
    // The valid role in the same file is not merged either.
    expect(snap.roles.has("security_auditor")).toBe(false);
    expect(snap.roles.get("tester")?.source).toBe("builtin");
  });

  test("a non-string list item is reported on its own line", () => {
    writeRoleFile("items.yaml", ["tester:", "  approach:", "    - first", "    - 42", "    - third"]);
    const [err, ...rest] = createRoleLoader().load(workspace).errors;
    expect(rest).toEqual([]);
    expect(err?.line).toBe(4);
    expect(err?.message).toContain("tester.approach must be a list of strings");
    expect(err?.message).toContain("item 2 is a number");
  });

  test("an unknown field is reported with its line and the allowed fields", () => {
    writeRoleFile("typo.yaml", ["tester:", "  summary: ok", "  expertize:", "    - a"]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toHaveLength(1);
    expect(snap.errors[0]?.line).toBe(3);
    expect(snap.errors[0]?.message).toContain('unknown field "expertize"');
    expect(snap.errors[0]?.message).toContain("summary, role_definition, expertise, approach, output_format");
  });

  test("an invalid role name is reported with its line", () => {
    writeRoleFile("names.yaml", ["good_role:", "  summary: fine", "Bad Name:", "  summary: nope"]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toHaveLength(1);
    const err = snap.errors[0]!;
    expect(err.line).toBe(3);
    expect(err.column).toBe(1);
    expect(err.message).toContain('role name "Bad Name" is invalid');
    expect(err.message).toContain("lower-case letters");
    expect(snap.roles.has("good_role")).toBe(false);
  });

  test("a role with no fields, and a file that is a list, are errors", () => {
    writeRoleFile("empty-role.yaml", ["# comment", "reporter:"]);
    writeRoleFile("list.yaml", ["- tester", "- architect"]);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors.map((e) => [e.file, e.line])).toEqual([
      [".task_orchestrator/roles/empty-role.yaml", 2],
      [".task_orchestrator/roles/list.yaml", 1],
    ]);
    expect(snap.errors[0]?.message).toContain("reporter has no fields");
    expect(snap.errors[1]?.message).toContain("must be a mapping of role names");
    expect(snap.roles.has("reporter")).toBe(false);
  });

  test("an edited file is picked up by the next load; an unchanged folder is served from the cache", () => {
    const loader = createRoleLoader();
    const path = writeRoleFile("team.yaml", ["tester:", "  summary: first"]);
    const first = loader.load(workspace);
    expect(first.roles.get("tester")?.summary).toBe("first");
    expect(loader.load(workspace)).toBe(first);

    writeFileSync(path, "tester:\n  summary: second version\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(path, later, later);
    const second = loader.load(workspace);
    expect(second).not.toBe(first);
    expect(second.roles.get("tester")?.summary).toBe("second version");

    writeRoleFile("zz.yaml", ["tester:", "  summary: third"]);
    expect(loader.load(workspace).roles.get("tester")?.summary).toBe("third");

    rmSync(join(workspace, ".task_orchestrator", "roles"), { recursive: true });
    expect(loader.load(workspace).roles.get("tester")?.source).toBe("builtin");
  });

  test("a file that is all comments, or empty, yields no roles and no error", () => {
    writeRoleFile("custom_roles.yaml", ["# Add your roles here:", "# security_auditor:", "#   summary: ..."]);
    writeRoleFile("empty.yml", []);
    const snap = createRoleLoader().load(workspace);
    expect(snap.errors).toEqual([]);
    expect(snap.files).toHaveLength(2);
    expect(snap.roles.size).toBe(BUILTIN_ROLE_NAMES.length);
  });
});
