import { type Artifact, artifactPath, normalizeWorkspacePath, renderArtifactFile } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { newArtifactId } from "../core/ports.ts";
import { isClaimedByOther, type Progress, progressOf, unmetDependencies } from "../core/readiness.ts";
import type { ArtifactType, NextAction, Plan, TaskRef, TaskStatus } from "../core/task.ts";
import type { TaskAction } from "../core/transitions.ts";
import { sha256 } from "../platform/fs.ts";
import type { StoreWriter } from "../store/port.ts";
import { priorResult, type RequestKey, writeOnce } from "./_requests.ts";
import { applyTaskAction, requireTaskForReadiness } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface CompleteSubtaskInput {
  readonly taskId: string;
  readonly summary: string;
  readonly detailedWork: string;
  readonly nextAction: NextAction;
  readonly filePaths: readonly string[];
  readonly artifactType: ArtifactType;
  readonly legacyArtifacts: readonly string[];
  readonly agentId: string;
  /** With a request_id: a retry returns the first call's result instead of storing a second artifact. */
  readonly request?: RequestKey | undefined;
}

export interface CompleteSubtaskResult {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly plan: Plan;
  readonly progress: Progress;
  readonly artifact: Artifact;
  /** Up to READY_LISTED tasks that can start now, the completed task's dependents first. */
  readonly nextReady: readonly TaskRef[];
  /** More tasks are ready than nextReady lists. */
  readonly moreReady: boolean;
  /** True when this is the stored answer to an earlier call with the same request_id. */
  readonly replayed: boolean;
}

/**
 * Ready tasks a completion lists, the completed task's dependents first: the next round of work to
 * hand out. Listing every one cost a model 32 KB per completion in a plan of 250 independent
 * subtasks, and reading them all grew with the plan (issue 16); get_status lists a plan's in full.
 */
export const READY_LISTED = 10;

/** Which state-machine action each `next_action` means. */
const ACTION_FOR: Record<NextAction, TaskAction> = {
  complete: "complete",
  continue: "complete",
  needs_revision: "request_revision",
  blocked: "block",
};

/**
 * Records a task's result: the artifact row (with the text), the summary and the status change
 * named by `next_action` commit in one transaction; the write callback touches nothing but the
 * store, since PostgreSQL may run it again after a serialization failure. The local copy under
 * artifacts/ is queued after the commit and written once the answer is on its way: the store
 * holds the text, so the client need not wait for a convenience copy, and a failed copy is logged
 * and listed by health_check (written again by a dependent's execute or validate_structure's
 * repair), never a failed completion. No fsync: a copy a crash loses or tears is found (size and
 * sha256 against the row) and written again.
 */
export async function completeSubtask(
  ctx: AppContext,
  input: CompleteSubtaskInput,
): Promise<CompleteSubtaskResult> {
  const ws = ctx.project;
  const earlier = await priorResult<CompleteSubtaskResult>(
    ctx.store.direct,
    ws,
    input.request,
    ctx.clock.now(),
  );
  if (earlier) return { ...earlier, replayed: true };
  const size = Buffer.byteLength(input.detailedWork, "utf8");
  if (size > ctx.settings.maxArtifactBytes) {
    throw new OrchestratorError(
      "ARTIFACT_TOO_LARGE",
      `detailed_work is ${size} bytes; the limit is ${ctx.settings.maxArtifactBytes}. Split the work into several subtasks, or raise ORCHESTRATOR_MAX_ARTIFACT_BYTES.`,
      { data: { size, limit: ctx.settings.maxArtifactBytes } },
    );
  }
  const filePaths = [
    ...new Set(
      [...input.filePaths, ...input.legacyArtifacts].map((p) => normalizeWorkspacePath(ctx.workspace, p)),
    ),
  ];
  const action = ACTION_FOR[input.nextAction];

  // Cheap refusals before anything touches the disk.
  const before = await ctx.store.direct.findTaskHeader(ws, input.taskId);
  if (!before) {
    throw new OrchestratorError(
      "TASK_NOT_FOUND",
      `Task ${input.taskId} does not exist in workspace ${ctx.workspace}. List tasks with orchestrator_get_status.`,
      {
        data: { task_id: input.taskId, workspace: ctx.workspace },
      },
    );
  }

  const createdAt = ctx.clock.now();
  const artifactId = newArtifactId(ctx.random);
  const relPath = artifactPath(before.planId, before.id, artifactId);
  const text = renderArtifactFile({
    taskId: before.id,
    taskTitle: before.title,
    planId: before.planId,
    type: input.artifactType,
    summary: input.summary,
    createdAt,
    filePaths,
    detailedWork: input.detailedWork,
  });
  const bytes = Buffer.from(text, "utf8");
  const artifact: Artifact = {
    id: artifactId,
    taskId: before.id,
    planId: before.planId,
    type: input.artifactType,
    summary: input.summary,
    path: relPath,
    size: bytes.length,
    sha256: sha256(bytes),
    filePaths,
    createdAt,
    inStore: true,
  };

  // The second wall is the adapter's: whatever the stored ids say, the copy lands inside .task_orchestrator/.
  ctx.files.checkArtifactPath(relPath);
  const result = await writeOnce(ctx, input.request, async (trx, now) => {
    // The task and its dependencies: what the checks need.
    const { task, siblings: all } = await requireTaskForReadiness(trx, ws, input.taskId);
    if (task.claim && isClaimedByOther(task, input.agentId, now, ctx.holderGone)) {
      throw new OrchestratorError(
        "TASK_CLAIMED",
        `Task ${task.id} is claimed by ${task.claim.agentId} until ${task.claim.expiresAt}; only that agent can complete it before then, unless its client disconnects first.`,
        { data: { task_id: task.id, claimed_by: task.claim.agentId, expires_at: task.claim.expiresAt } },
      );
    }
    if (action === "complete") {
      const unmet = unmetDependencies(task, new Map(all.map((t) => [t.id, t])));
      if (unmet.length > 0) {
        const list = unmet.map((d) => `${d.task_id} "${d.title}" (${d.status})`).join(", ");
        throw new OrchestratorError(
          "DEPENDENCIES_UNMET",
          `Task ${task.id} cannot be completed while its dependencies are not: ${list}. Complete those first.`,
          { data: { task_id: task.id, unmet } },
        );
      }
    }
    const stored = await storeArtifact(ctx, trx, { ...artifact, taskId: task.id, planId: task.planId }, text);
    const { status, plan } = await applyTaskAction(trx, ws, task, action, now, {
      // Recorded with the status change's event, in one statement.
      before: [
        {
          at: now,
          kind: "artifact_added",
          planId: task.planId,
          taskId: task.id,
          agentId: input.agentId,
          note: stored.id,
        },
      ],
      agentId: input.agentId,
      note: action === "complete" ? null : input.summary,
      patch: {
        summary: input.summary,
        statusNote: action === "complete" ? null : input.summary,
        claim: null,
        completedAt: action === "complete" ? now : null,
      },
    });
    // Read after the change, in the same transaction, and bounded: one more than listed says
    // whether more are ready. A plan with nothing pending has nothing ready (its counters say so).
    const ready =
      plan.counts.pending === 0
        ? []
        : await trx.findReadyTasksAfter(ws, task.planId, task.id, now, READY_LISTED + 1);
    return {
      taskId: input.taskId,
      status,
      plan,
      progress: progressOf(plan.counts),
      artifact: stored,
      nextReady: ready.slice(0, READY_LISTED),
      moreReady: ready.length > READY_LISTED,
    };
  });
  // A retry that raced the first call recorded nothing: its artifact is not the one stored.
  if (!result.replayed) ctx.files.copyLater(result.artifact.path, bytes);
  return result;
}

/** Draws after a taken id before giving up: at 32 random bits, several in a row mean a broken source. */
const ARTIFACT_ID_DRAWS = 8;

/**
 * Stores the artifact's row, drawing another id (and so another path) while the project already
 * holds one under it: 32 random bits meet a collision among tens of thousands of results, which
 * must not fail a completion. Returns the artifact as stored.
 */
async function storeArtifact(
  ctx: AppContext,
  trx: StoreWriter,
  first: Artifact,
  text: string,
): Promise<Artifact> {
  let a = first;
  for (let draw = 0; draw < ARTIFACT_ID_DRAWS; draw++) {
    if (await trx.insertArtifact(ctx.project, a, text)) return a;
    const id = newArtifactId(ctx.random);
    a = { ...a, id, path: artifactPath(a.planId, a.taskId, id) };
    ctx.files.checkArtifactPath(a.path);
  }
  throw new OrchestratorError(
    "INTERNAL",
    `${ARTIFACT_ID_DRAWS} artifact ids drawn in a row were all taken in this project; the random source is not random. Nothing was stored.`,
  );
}
