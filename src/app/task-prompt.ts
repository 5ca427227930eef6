import type { Artifact } from "../core/artifact.ts";
import { buildSpecialistPrompt, type DependencyOutput } from "../core/prompt.ts";
import type { Role } from "../core/roles/role.ts";
import type { Plan, Task } from "../core/task.ts";
import { readArtifactTexts } from "./_artifact-text.ts";
import type { AppContext } from "./context.ts";
import { getTask } from "./get-task.ts";

export interface SpecialistPrompt {
  readonly role: Role;
  readonly dependencies: readonly DependencyOutput[];
  readonly prompt: string;
}

/**
 * The one builder of a task's specialist prompt: its role (as the role files say now), the plan,
 * and what each dependency produced with its artifacts' text, read from the store, so an agent on
 * another machine sees the same results. execute_subtask returns it when it claims the task (and,
 * as a call that writes, rewrites missing local copies: `restore`); the role prompts show it
 * without claiming and write nothing.
 */
export async function specialistPrompt(
  ctx: AppContext,
  task: Task,
  plan: Plan,
  dependencies: readonly Task[],
  opts: { readonly restore: boolean } = { restore: false },
): Promise<SpecialistPrompt> {
  const artifacts: Map<string, Artifact[]> = await ctx.store.direct.findTaskArtifacts(
    ctx.project,
    dependencies.map((d) => d.id),
  );
  const outputs = dependencies.map((d) => ({ task: d, artifacts: artifacts.get(d.id) ?? [] }));
  const texts = await readArtifactTexts(
    ctx,
    outputs.flatMap((o) => o.artifacts),
    opts,
  );
  const role = roleFor(ctx, task.specialistType);
  const prompt = buildSpecialistPrompt({
    role,
    task,
    plan,
    dependencies: outputs,
    workspace: ctx.workspace,
    texts,
  });
  return { role, dependencies: outputs, prompt };
}

/** A stored task's specialist prompt, read without claiming the task. */
export async function taskPrompt(ctx: AppContext, taskId: string): Promise<string> {
  const d = await getTask(ctx, taskId);
  return (await specialistPrompt(ctx, d.task, d.plan, d.dependencies)).prompt;
}

/** The role for a task; a role whose file was removed since planning falls back to a generic one. */
export function roleFor(ctx: AppContext, name: string): Role {
  return (
    ctx.roles().roles.get(name) ?? {
      name,
      source: "custom",
      summary: `${name} specialist`,
      role_definition: `You are a ${name.replaceAll(/[_-]/g, " ")} specialist.`,
      expertise: [],
      approach: [],
      output_format: "",
    }
  );
}
