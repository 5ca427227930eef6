import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { BINARY } from "../helpers/client.ts";

// The compiled binary's install notice and doctor gate check, with the clients' trust and
// approval files written the way the clients write them (tests/real-clients checks the clients).
let home: string;
let project: string;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-gates-e2e-")));
  project = join(home, "proj");
  mkdirSync(join(project, ".git"), { recursive: true });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(BINARY, args, {
    cwd: project,
    encoding: "utf8",
    env: { HOME: home, PATH: process.env.PATH ?? "", ORCHESTRATOR_HOME: join(home, ".orch"), NO_COLOR: "1" },
  });
const put = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
function gate(client: string) {
  const r = run(["doctor", "--json", "--client", client]);
  const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
  return { report, check: report.checks.find((c) => c.id === `clients.${client}.gate`) };
}

describe.each([
  {
    client: "claude-code",
    scope: "project",
    says: () => "enabledMcpjsonServers",
    lift: () =>
      put(
        join(project, ".claude", "settings.local.json"),
        JSON.stringify({ enabledMcpjsonServers: ["task-orchestrator"] }),
      ),
  },
  {
    client: "codex",
    scope: "project",
    says: () => `[projects.${JSON.stringify(project)}]`,
    lift: () =>
      put(
        join(home, ".codex", "config.toml"),
        `[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`,
      ),
  },
  {
    client: "gemini-cli",
    scope: "user",
    says: () => "TRUST_FOLDER",
    lift: () =>
      put(join(home, ".gemini", "trustedFolders.json"), JSON.stringify({ [project]: "TRUST_FOLDER" })),
  },
])("$client ($scope)", ({ client, scope, says, lift }) => {
  test("install names the gate; doctor warns until it is lifted, then says it is open", () => {
    const inst = run(["install", "--client", client, "--scope", scope]);
    expect(inst.status).toBe(0);
    const notice = inst.stdout.split("\n").find((l) => l.includes("ℹ"));
    expect(notice).toContain(says());

    const before = gate(client);
    expect(before.check).toMatchObject({ status: "warn" });
    expect(before.check?.fix).toContain(says());
    expect(before.report.verdict).not.toBe("ok");

    lift();
    expect(gate(client).check).toMatchObject({ status: "ok" });
    const again = run(["install", "--client", client, "--scope", scope]);
    expect(again.stdout).not.toContain("ℹ");
  });
});

test("no gate check where our entry is not in a gated scope, or that scope is not asked for", () => {
  expect(run(["install", "--client", "codex"]).status).toBe(0);
  expect(gate("codex").check).toBeUndefined();
  expect(gate("claude-code").check).toBeUndefined();
  expect(run(["install", "--client", "codex", "--scope", "project"]).status).toBe(0);
  expect(gate("codex").check).toMatchObject({ status: "warn" });
  const userOnly = run(["doctor", "--json", "--client", "codex", "--scope", "user"]);
  const report = DoctorReportSchema.parse(JSON.parse(userOnly.stdout));
  expect(report.checks.find((c) => c.id === "clients.codex.gate")).toBeUndefined();
});
