import { type Artifact, DATA_DIR } from "../core/artifact.ts";
import { progressOf, readyTasks } from "../core/readiness.ts";
import type { Plan, Task } from "../core/task.ts";
import type { AppContext } from "./context.ts";

interface Loaded {
  readonly plan: Plan;
  readonly tasks: readonly Task[];
  readonly artifacts: ReadonlyMap<string, readonly Artifact[]>;
}

async function loadAll(ctx: AppContext, statuses: Plan["status"][]): Promise<Loaded[]> {
  return ctx.store.read(async (db) => {
    const plans = await db.findPlans(ctx.project, statuses, 10_000);
    const out: Loaded[] = [];
    for (const plan of plans) {
      const tasks = (await db.findPlanTasks(ctx.project, plan.id)).filter((t) => t.status !== "archived");
      const artifacts = await db.findTaskArtifacts(
        ctx.project,
        tasks.map((t) => t.id),
      );
      out.push({ plan, tasks, artifacts });
    }
    return out;
  });
}

/** Links are relative to `.task_orchestrator/`, where the documents live. */
function artifactLinks(artifacts: readonly Artifact[] | undefined): string {
  if (!artifacts || artifacts.length === 0) return "";
  return ` — ${artifacts.map((a) => `[${a.id}](${a.path.slice(DATA_DIR.length + 1)})`).join(", ")}`;
}

const taskLine = (t: Task, l: Loaded, extra = ""): string =>
  `- \`${t.id}\` ${t.title} (${t.specialistType})${extra}${artifactLinks(l.artifacts.get(t.id))}`;

/** Writes `.task_orchestrator/PLANS.md`: every plan with progress, tasks, summaries and artifact links. */
export async function writePlansDocument(ctx: AppContext): Promise<string> {
  const loaded = await loadAll(ctx, ["active", "completed", "cancelled"]);
  const lines = [
    `# Plans in ${ctx.workspace}`,
    "",
    `Generated ${ctx.clock.now()} by orchestrator (maintenance update_documentation).`,
    "",
  ];
  if (loaded.length === 0) lines.push("No plans yet.");
  for (const l of loaded) {
    const p = progressOf(l.plan.counts);
    lines.push(
      `## ${l.plan.description}`,
      "",
      `- Plan \`${l.plan.id}\`, ${l.plan.status}, ${p.completed}/${p.total} done (${p.percentage}%)`,
      `- Created ${l.plan.createdAt}, last activity ${l.plan.updatedAt}`,
      "",
    );
    lines.push("| task | role | status | summary |", "|---|---|---|---|");
    for (const t of l.tasks) {
      const summary = (t.summary ?? t.statusNote ?? "")
        .replaceAll("|", "\\|")
        .replaceAll("\n", " ")
        .slice(0, 200);
      lines.push(
        `| \`${t.id}\` ${t.title.replaceAll("|", "\\|")} | ${t.specialistType} | ${t.status} | ${summary}${artifactLinks(l.artifacts.get(t.id))} |`,
      );
    }
    lines.push("");
  }
  return ctx.files.writeDocument("PLANS.md", `${lines.join("\n")}\n`);
}

/** Writes `.task_orchestrator/HANDOVER.md`: what is done, in progress, blocked or failed, and what is next. */
export async function writeHandover(ctx: AppContext): Promise<string> {
  const loaded = await loadAll(ctx, ["active"]);
  const now = ctx.clock.now();
  const lines = [`# Handover for ${ctx.workspace}`, "", `Written ${now}. Open plans: ${loaded.length}.`, ""];
  if (loaded.length === 0) lines.push("Nothing is open: every plan is completed or there are none.");
  for (const l of loaded) {
    const p = progressOf(l.plan.counts);
    lines.push(`## ${l.plan.description} (\`${l.plan.id}\`, ${p.completed}/${p.total} done)`, "");
    const section = (title: string, tasks: readonly Task[], extra: (t: Task) => string = () => ""): void => {
      if (tasks.length === 0) return;
      lines.push(`### ${title}`, "", ...tasks.map((t) => taskLine(t, l, extra(t))), "");
    };
    const ready = new Set(readyTasks(l.tasks, { now }).map((t) => t.id));
    section(
      "Done",
      l.tasks.filter((t) => t.status === "completed"),
      (t) => (t.summary ? `: ${t.summary}` : ""),
    );
    section(
      "In progress",
      l.tasks.filter((t) => t.status === "active"),
      (t) => (t.claim ? ` — held by ${t.claim.agentId} until ${t.claim.expiresAt}` : ""),
    );
    section(
      "Blocked",
      l.tasks.filter((t) => t.status === "blocked"),
      (t) => (t.statusNote ? `: ${t.statusNote}` : ""),
    );
    section(
      "Failed",
      l.tasks.filter((t) => t.status === "failed"),
      (t) => (t.statusNote ? `: ${t.statusNote}` : ""),
    );
    section(
      "Next (ready to start)",
      l.tasks.filter((t) => ready.has(t.id)),
    );
    section(
      "Waiting on dependencies",
      l.tasks.filter((t) => t.status === "pending" && !ready.has(t.id)),
      (t) => ` — after ${t.dependencies.join(", ")}`,
    );
  }
  return ctx.files.writeDocument("HANDOVER.md", `${lines.join("\n")}\n`);
}
