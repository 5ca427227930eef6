import type { Artifact } from "../core/artifact.ts";
import type { ArtifactFileState } from "../core/ports.ts";
import { sha256 } from "../platform/fs.ts";
import { restoreLocalCopy } from "./_artifact-text.ts";
import type { MaintenanceFinding, MaintenanceStep } from "./_maintenance-report.ts";
import type { AppContext } from "./context.ts";

/** Texts read from the store at once: bounded, since each may be as large as the artifact limit. */
const BATCH = 100;

/**
 * validate_structure's artifact checks. A row that holds its text is damaged only when that text
 * no longer matches its size and sha256; its file is a local copy, so a missing or different copy
 * is reported (info / warning) and, with `repair`, written again from the store. A row written
 * before 2026-12 has only its file, so a missing or changed file is still an error.
 */
export async function checkArtifacts(
  ctx: AppContext,
  artifacts: readonly Artifact[],
  opts: { readonly deep: boolean; readonly repair: boolean },
): Promise<{ findings: MaintenanceFinding[]; actions: MaintenanceStep[] }> {
  const findings: MaintenanceFinding[] = [];
  const actions: MaintenanceStep[] = [];
  const about = (a: Artifact) => ({ task_id: a.taskId, path: a.path });
  // Copies queued by completions just answered are not missing: wait for them first.
  await ctx.files.copiesSettled();
  for (let i = 0; i < artifacts.length; i += BATCH) {
    const batch = artifacts.slice(i, i + BATCH);
    const stored = batch.some((a) => a.inStore)
      ? await ctx.store.direct.findArtifactContents(
          ctx.project,
          batch.filter((a) => a.inStore).map((a) => a.id),
        )
      : new Map<string, string>();
    for (const a of batch) {
      const text = stored.get(a.id);
      const file = ctx.files.verifyArtifact(a, opts.deep);
      if (file.state === "refused") {
        findings.push({
          kind: "path_outside_data_dir",
          severity: "error",
          ...about(a),
          message: `artifact ${a.id} of ${a.taskId}: ${a.path} is refused: ${file.problem}`,
        });
        continue;
      }
      if (text === undefined) {
        const f = oldRowFinding(a, file);
        if (f) findings.push({ ...f, ...about(a) });
        continue;
      }
      const bytes = Buffer.from(text, "utf8");
      if (bytes.length !== a.size || (opts.deep && sha256(bytes) !== a.sha256)) {
        findings.push({
          kind: "artifact_changed",
          severity: "error",
          ...about(a),
          message: `artifact ${a.id} of ${a.taskId}: the text stored in the database does not match its recorded ${bytes.length !== a.size ? `size (${bytes.length} bytes, recorded ${a.size})` : "sha256"}; it was changed outside this orchestrator and is never used`,
        });
        continue;
      }
      if (file.state === "intact") continue;
      const missing = file.state === "missing";
      const restored = opts.repair && (await restoreLocalCopy(ctx, a, bytes, true));
      findings.push({
        kind: missing ? "local_copy_missing" : "local_copy_changed",
        severity: missing ? "info" : "warning",
        ...about(a),
        message: `artifact ${a.id} of ${a.taskId}: its local copy ${a.path} ${missing ? "is missing" : "differs from the text in the store (edited by hand?)"}; the store holds the text${restored ? ", so it was written again" : opts.repair ? ", but the copy could not be written" : "; repair: true writes the copy again"}`,
      });
      if (restored)
        actions.push({ action: "restore_local_copy", ...about(a), detail: "written again from the store" });
    }
  }
  return { findings, actions };
}

/** A row without its text (written before 2026-12): its file is the only copy. */
function oldRowFinding(
  a: Artifact,
  file: ArtifactFileState,
): Omit<MaintenanceFinding, "task_id" | "path"> | undefined {
  switch (file.state) {
    case "missing":
      return {
        kind: "artifact_missing",
        severity: "error",
        message: `artifact ${a.id} of ${a.taskId}: file ${a.path} is missing`,
      };
    case "resized":
      return {
        kind: "artifact_changed",
        severity: "error",
        message: `artifact ${a.id}: ${a.path} is ${file.size} bytes, recorded ${a.size}`,
      };
    case "altered":
      return {
        kind: "artifact_changed",
        severity: "error",
        message: `artifact ${a.id}: ${a.path} does not match its recorded sha256`,
      };
    default:
      return undefined;
  }
}
