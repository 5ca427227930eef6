import { expect, test } from "bun:test";
import type { Artifact, ArtifactReading } from "../../src/core/artifact.ts";
import { buildSpecialistPrompt, PROMPT_ARTIFACT_CHARS } from "../../src/core/prompt.ts";
import type { Role } from "../../src/core/roles/role.ts";
import { EMPTY_COUNTS, type Plan, type Task } from "../../src/core/task.ts";

const at = "2026-12-01T00:00:00.000Z";
const role: Role = {
  name: "implementer",
  source: "builtin",
  summary: "s",
  role_definition: "You build.",
  expertise: [],
  approach: [],
  output_format: "",
};
const plan: Plan = {
  id: "task_00000001",
  description: "p",
  complexity: "moderate",
  context: null,
  status: "active",
  counts: EMPTY_COUNTS,
  createdAt: at,
  updatedAt: at,
  completedAt: null,
};
const task = (id: string, status: Task["status"]): Task => ({
  id,
  planId: plan.id,
  position: 0,
  title: id,
  description: "d",
  specialistType: "implementer",
  estimatedEffort: "",
  status,
  archivedFrom: null,
  summary: "sum",
  statusNote: null,
  dependencies: [],
  claim: null,
  createdAt: at,
  updatedAt: at,
  startedAt: null,
  completedAt: null,
});
const artifact: Artifact = {
  id: "artifact_0000000a",
  taskId: "dep",
  planId: plan.id,
  type: "code",
  summary: "sum",
  path: ".task_orchestrator/artifacts/task_00000001/dep/artifact_0000000a.md",
  size: 1,
  sha256: "",
  filePaths: [],
  createdAt: at,
  inStore: true,
};
const promptWith = (reading: ArtifactReading) =>
  buildSpecialistPrompt({
    role,
    task: task("me", "pending"),
    plan,
    dependencies: [{ task: task("dep", "completed"), artifacts: [artifact] }],
    workspace: "/w",
    texts: new Map([[artifact.id, reading]]),
  });

test("a dependency's text sits in a fence longer than any backtick run inside it", () => {
  const p = promptWith({ text: "code:\n````\nx\n````\n", from: "store", checksumOk: true });
  expect(p).toContain("`````markdown\ncode:\n````\nx\n````\n`````");
});

test("a long text is cut, saying how to read the rest", () => {
  const text = "a".repeat(PROMPT_ARTIFACT_CHARS + 5);
  const p = promptWith({ text, from: "store", checksumOk: true });
  expect(p).toContain(`${"a".repeat(PROMPT_ARTIFACT_CHARS)}\n\`\`\``);
  expect(p).not.toContain("a".repeat(PROMPT_ARTIFACT_CHARS + 1));
  expect(p).toContain(
    `(5 more characters: orchestrator_get_artifact with artifact_id ${artifact.id} and offset ${PROMPT_ARTIFACT_CHARS})`,
  );
});

test("a text that cannot be given is named, not shown", () => {
  const p = promptWith({ problem: "altered_in_store", detail: "changed outside" });
  expect(p).toContain("(its text is not shown: changed outside)");
});
