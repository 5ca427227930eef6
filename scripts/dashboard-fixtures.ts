/**
 * Fixture answers following src/dashboard/contract.ts, for scripts/dashboard-dev.ts (developing
 * the front end without the backend). Not used by tests.
 */
import type {
  ActivityView,
  AgentsView,
  GraphTask,
  Overview,
  PlanSummary,
  PlanView,
  SynthesisView,
  TaskView,
} from "../src/dashboard/contract.ts";
import { HOSTILE_MARKDOWN } from "../tests/helpers/dashboard.ts";

const ROLES = ["architect", "implementer", "tester", "reviewer", "documenter", "researcher"];
export const PROJECT = "github.com/acme/search:service";

/** A plan of `n` tasks shaped like tests/helpers/dashboard.ts widePlan (the benchmark's). */
export function tasksOf(n: number, now: number): GraphTask[] {
  const out: GraphTask[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>();
    if (i > 0) deps.add(`task_${Math.floor((i - 1) / 2)}`);
    if (i > 3 && i % 3 === 0) deps.add(`task_${i - 3}`);
    const status = i < n / 4 ? "completed" : i < n / 4 + 3 ? "active" : i === n - 1 ? "failed" : "pending";
    out.push({
      id: `task_${i}`,
      title: i === 2 ? `A long title that goes on and on ${"<b>not bold</b> ".repeat(3)}` : `Task ${i}`,
      role: ROLES[i % ROLES.length]!,
      status,
      position: i,
      dependencies: [...deps],
      ready: false,
      claim:
        status === "active"
          ? {
              agentId: i % 2 ? "grace" : "ada",
              expiresAt: new Date(now + 200_000 * (i - n / 4 + 1)).toISOString(),
              remainingMs: 200_000 * (i - n / 4 + 1),
              stale: false,
            }
          : null,
      updatedAt: new Date(now - i * 60_000).toISOString(),
      completedAt: status === "completed" ? new Date(now - i * 60_000).toISOString() : null,
      artifactCount: status === "completed" ? 1 : 0,
    });
  }
  const done = new Set(out.filter((t) => t.status === "completed").map((t) => t.id));
  for (const t of out)
    (t as { ready: boolean }).ready = t.status === "pending" && t.dependencies.every((d) => done.has(d));
  return out;
}

function summary(id: string, title: string, tasks: GraphTask[], now: number): PlanSummary {
  const counts = {
    pending: 0,
    active: 0,
    blocked: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    total: tasks.length,
  };
  const roles: Record<string, number> = {};
  for (const t of tasks) {
    if (t.status in counts) counts[t.status as keyof typeof counts]++;
    roles[t.role] = (roles[t.role] ?? 0) + 1;
  }
  return {
    id,
    title,
    status: "active",
    createdAt: new Date(now - 86_400_000).toISOString(),
    updatedAt: new Date(now - 60_000).toISOString(),
    completedAt: null,
    lastActivity: new Date(now - 90_000).toISOString(),
    counts,
    progress: tasks.length ? (counts.completed + counts.cancelled) / tasks.length : 0,
    roles,
    claimed: tasks.filter((t) => t.claim && !t.claim.stale).length,
  };
}

export class Fixtures {
  version = 1;
  private readonly plans = new Map<string, { title: string; tasks: GraphTask[] }>();
  constructor() {
    const now = Date.now();
    this.plans.set("plan_small", { title: "Ship the search service", tasks: tasksOf(6, now) });
    this.plans.set("plan_big", { title: "A plan of 250 subtasks", tasks: tasksOf(250, now) });
  }
  /** Completes the first pending task of the small plan (a live change). */
  advance(): void {
    const t = this.plans.get("plan_small")!.tasks.find((x) => x.status !== "completed");
    if (t) Object.assign(t, { status: "completed", claim: null, ready: false });
    this.version++;
  }
  overview(): Overview {
    const now = Date.now();
    return {
      now: new Date(now).toISOString(),
      store: { dialect: "sqlite", location: "/home/me/project/.task_orchestrator/orchestrator.db" },
      actions: { allowed: true, actor: "Alice Example" },
      projects: [
        {
          id: PROJECT,
          plans: [...this.plans].map(([id, p]) => summary(id, p.title, p.tasks, now)),
        },
        { id: "local:/tmp/empty", plans: [] },
      ],
    };
  }
  plan(planId: string): PlanView | null {
    const p = this.plans.get(planId);
    if (!p) return null;
    const now = Date.now();
    return {
      now: new Date(now).toISOString(),
      project: PROJECT,
      plan: { ...summary(planId, p.title, p.tasks, now), complexity: "complex" },
      tasks: p.tasks,
    };
  }
  task(taskId: string): TaskView | null {
    for (const [planId, p] of this.plans) {
      const t = p.tasks.find((x) => x.id === taskId);
      if (!t) continue;
      const ref = (id: string) => {
        const r = p.tasks.find((x) => x.id === id)!;
        return { id: r.id, title: r.title, status: r.status };
      };
      const now = Date.now();
      return {
        now: new Date(now).toISOString(),
        project: PROJECT,
        planId,
        planTitle: p.title,
        task: {
          id: t.id,
          title: t.title,
          description: `Step ${t.position} of the job.\n  Indented line <i>kept as text</i>.`,
          role: t.role,
          status: t.status,
          estimatedEffort: "medium",
          summary: t.status === "completed" ? "API designed" : null,
          statusNote: null,
          claim: t.claim,
          ready: t.ready,
          createdAt: new Date(now - 3_600_000).toISOString(),
          updatedAt: t.updatedAt,
          startedAt: null,
          completedAt: t.completedAt,
        },
        dependencies: t.dependencies.map(ref),
        dependents: p.tasks.filter((x) => x.dependencies.includes(t.id)).map((x) => ref(x.id)),
        prompt: `You are the ${t.role}.\n\nDo: ${t.title}`,
        history: [
          {
            seq: 1,
            at: new Date(now - 3_600_000).toISOString(),
            kind: "created",
            action: null,
            from: null,
            to: "pending",
            agentId: null,
            note: null,
          },
          {
            seq: 2,
            at: new Date(now - 1_800_000).toISOString(),
            kind: "transition",
            action: "claim",
            from: "pending",
            to: "active",
            agentId: "ada",
            note: null,
          },
          {
            seq: 3,
            at: new Date(now - 600_000).toISOString(),
            kind: "transition",
            action: "complete",
            from: "active",
            to: "completed",
            agentId: "ada",
            note: "done",
          },
        ],
        artifacts:
          t.status === "completed"
            ? [
                {
                  id: "artifact_1",
                  type: "design",
                  summary: "API designed",
                  path: "artifacts/a.md",
                  size: HOSTILE_MARKDOWN.length,
                  sha256: "a".repeat(64),
                  createdAt: new Date(now).toISOString(),
                  filePaths: ["src/api.ts"],
                  content: HOSTILE_MARKDOWN,
                  checksum: "ok",
                  problem: null,
                },
                {
                  id: "artifact_2",
                  type: "code",
                  summary: "Missing one",
                  path: "artifacts/b.md",
                  size: 10,
                  sha256: "b".repeat(64),
                  createdAt: new Date(now).toISOString(),
                  filePaths: [],
                  content: null,
                  checksum: "missing",
                  problem: "the text is not in the store",
                },
              ]
            : [],
        actions:
          t.status === "active" ? ["release", "cancel"] : t.status === "pending" ? ["cancel"] : ["reopen"],
      };
    }
    return null;
  }
  synthesis(planId: string): SynthesisView | null {
    const p = this.plans.get(planId);
    return p
      ? { project: PROJECT, planId, markdown: `# ${p.title}\n\n${HOSTILE_MARKDOWN}`, allCompleted: false }
      : null;
  }
  agents(): AgentsView {
    const now = Date.now();
    const holding = [...this.plans].flatMap(([planId, p]) =>
      p.tasks
        .filter((t) => t.claim)
        .map((t) => ({
          project: PROJECT,
          planId,
          taskId: t.id,
          title: t.title,
          status: t.status,
          claim: t.claim!,
          expiringSoon: t.claim!.remainingMs < 300_000,
          agentId: t.claim!.agentId,
        })),
    );
    return {
      now: new Date(now).toISOString(),
      agents: ["ada", "grace"].map((a) => ({
        agentId: a,
        holding: holding.filter((h) => h.agentId === a).map(({ agentId: _, ...h }) => h),
        recentCompletions: [
          {
            project: PROJECT,
            planId: "plan_small",
            taskId: "task_0",
            title: "Task 0",
            at: new Date(now - 120_000).toISOString(),
          },
        ],
        lastSeen: new Date(now - 30_000).toISOString(),
      })),
    };
  }
  activity(): ActivityView {
    const now = Date.now();
    return {
      now: new Date(now).toISOString(),
      events: Array.from({ length: 20 }, (_, i) => ({
        seq: 100 - i,
        at: new Date(now - i * 300_000).toISOString(),
        kind: "transition",
        action: i % 2 ? "complete" : "claim",
        from: i % 2 ? "active" : "pending",
        to: i % 2 ? "completed" : "active",
        agentId: i % 3 ? "ada" : "grace",
        note: i === 3 ? "a note\nover two lines" : null,
        project: PROJECT,
        planId: "plan_small",
        planTitle: "Ship the search service",
        taskId: `task_${i % 6}`,
        taskTitle: `Task ${i % 6}`,
      })),
    };
  }
}
