import { describe, expect, test } from "bun:test";
import { artifactPath, normalizeWorkspacePath } from "../../src/core/artifact.ts";
import { isOrchestratorError } from "../../src/core/errors.ts";

describe("normalizeWorkspacePath", () => {
  const ws = "/home/ana/project";
  test.each([
    ["src/app.ts", "src/app.ts"],
    ["./src//app.ts", "src/app.ts"],
    ["src/../lib/x.ts", "lib/x.ts"],
    ["/home/ana/project/src/a.ts", "src/a.ts"],
    ["src\\win\\path.ts", "src/win/path.ts"],
    [".", "."],
  ])("%s → %s", (input, out) => {
    expect(normalizeWorkspacePath(ws, input)).toBe(out);
  });

  test.each([
    ["../secret"],
    ["src/../../etc/passwd"],
    ["/etc/passwd"],
    ["/home/ana/project-other/x"],
    ["a\0b"],
    [""],
  ])("refuses %p", (input) => {
    let err: unknown;
    try {
      normalizeWorkspacePath(ws, input);
    } catch (e) {
      err = e;
    }
    expect(isOrchestratorError(err, "PATH_OUTSIDE_WORKSPACE")).toBe(true);
  });

  test("windows workspaces compare drive paths case-insensitively", () => {
    expect(normalizeWorkspacePath("C:\\Users\\ana\\proj", "c:\\Users\\ana\\proj\\src\\a.ts")).toBe(
      "src/a.ts",
    );
  });
});

test("artifact paths stay under .task_orchestrator/artifacts/<plan>/<task>/", () => {
  expect(artifactPath("task_1a2b3c4d", "architect_abcdef", "artifact_12345678")).toBe(
    ".task_orchestrator/artifacts/task_1a2b3c4d/architect_abcdef/artifact_12345678.md",
  );
});
