import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { RequestKey } from "../../app/_requests.ts";
import type { AppContext } from "../../app/context.ts";
import { OrchestratorError } from "../../core/errors.ts";
import type { Task } from "../../core/task.ts";
import { sha256 } from "../../platform/fs.ts";
import type { ResolvedWorkspace } from "../../workspace/resolve.ts";
import { errorResult } from "../error-result.ts";
import type { Session } from "../session.ts";

export const workingDirectoryField = z.string().min(1).optional().describe("Absolute project path");

export const requestIdField = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits and . _ : - only")
  .optional()
  .describe("Retry key: within 24 h, the same id returns the first result");

/**
 * The idempotency key of a write call, or undefined without request_id. working_directory is left
 * out of the fingerprint: the key is per workspace already, and a retry may rely on the session's.
 */
export function requestKey(tool: string, args: Record<string, unknown>): RequestKey | undefined {
  const { request_id: id, working_directory: _ws, ...rest } = args;
  if (typeof id !== "string") return undefined;
  return { tool, id, fingerprint: sha256(canonicalJson(rest)) };
}

/** JSON with object keys sorted, so equal arguments give equal text whatever their order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Fields every result carries so the client always sees which project was used. */
export const workspaceShape = {
  workspace: z.string().describe("Absolute path of the workspace this call used"),
  workspace_source: z
    .enum(["argument", "session", "server", "client_roots", "project_marker"])
    .describe("Which rule chose the workspace"),
};

export const taskBriefShape = z.object({
  task_id: z.string(),
  title: z.string(),
  specialist_type: z.string(),
  status: z.string(),
  dependencies: z.array(z.string()),
  claimed_by: z.string().nullable(),
  claim_expires_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** The compact task view used in lists. */
export function taskBrief(t: Task): z.infer<typeof taskBriefShape> {
  return {
    task_id: t.id,
    title: t.title,
    specialist_type: t.specialistType,
    status: t.status,
    dependencies: [...t.dependencies],
    claimed_by: t.claim?.agentId ?? null,
    claim_expires_at: t.claim?.expiresAt ?? null,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export function workspaceFields(ws: ResolvedWorkspace): {
  workspace: string;
  workspace_source: ResolvedWorkspace["source"];
} {
  return { workspace: ws.path, workspace_source: ws.source };
}

/** A successful result: typed data plus its readable rendering. */
export function ok(structured: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/** An error result the model can act on: code, what happened, what to do. Never a stack trace. */
export function failure(e: unknown): CallToolResult {
  if (e instanceof OrchestratorError) return errorResult(e.code, e.message, e.data);
  const message = e instanceof Error ? e.message : String(e);
  // Unexpected: the stack goes to stderr (the client's log), never onto stdout.
  process.stderr.write(
    `orchestrator: internal error: ${e instanceof Error ? (e.stack ?? message) : message}\n`,
  );
  return errorResult("INTERNAL", message);
}

/**
 * Runs a tool body in a resolved workspace and maps every failure to an error result, so one bad
 * call never disturbs the connection.
 */
export async function inWorkspace(
  session: Session,
  workingDirectory: string | undefined,
  body: (ctx: AppContext, ws: ResolvedWorkspace) => Promise<CallToolResult>,
  opts: { readOnly?: boolean } = {},
): Promise<CallToolResult> {
  try {
    if (session.deps.testDelayMs) {
      // Tests wait for this line to know the call reached the worker (no guessing with sleeps).
      process.stderr.write(`orchestrator test: call waiting ${session.deps.testDelayMs} ms\n`);
      await new Promise((r) => setTimeout(r, session.deps.testDelayMs));
    }
    const ws = await session.resolve(workingDirectory);
    const ctx = await session.context(ws, opts);
    // best effort: a busy database must not fail the call
    if (!ctx.store.placeholder) await session.renewLeases(ctx).catch(() => {});
    return await body(ctx, ws);
  } catch (e) {
    return failure(e);
  }
}

/** inWorkspace for tools that only read: they create no file or folder (an empty state instead). */
export function inWorkspaceReadOnly(
  session: Session,
  workingDirectory: string | undefined,
  body: (ctx: AppContext, ws: ResolvedWorkspace) => Promise<CallToolResult>,
): Promise<CallToolResult> {
  return inWorkspace(session, workingDirectory, body, { readOnly: true });
}

export const taskViewShape = z.object({
  task_id: z.string(),
  parent_task_id: z.string(),
  title: z.string(),
  description: z.string(),
  specialist_type: z.string(),
  estimated_effort: z.string(),
  status: z.string(),
  summary: z.string().nullable(),
  note: z.string().nullable().describe("Why the task is blocked, failed, sent back or cancelled"),
  dependencies: z.array(z.string()),
  claimed_by: z.string().nullable(),
  claim_expires_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});

/** The full task view used by single-task tools. */
export function taskView(t: Task): z.infer<typeof taskViewShape> {
  return {
    task_id: t.id,
    parent_task_id: t.planId,
    title: t.title,
    description: t.description,
    specialist_type: t.specialistType,
    estimated_effort: t.estimatedEffort,
    status: t.status,
    summary: t.summary,
    note: t.statusNote,
    dependencies: [...t.dependencies],
    claimed_by: t.claim?.agentId ?? null,
    claim_expires_at: t.claim?.expiresAt ?? null,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    started_at: t.startedAt,
    completed_at: t.completedAt,
  };
}

export const artifactRefShape = z.object({
  artifact_id: z.string(),
  type: z.string(),
  summary: z.string(),
  path: z.string().describe("Workspace-relative path of the file"),
  uri: z.string(),
  size: z.number(),
  sha256: z.string(),
  created_at: z.string(),
});
