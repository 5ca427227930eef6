/** Time source; adapters pass the system clock, tests a fixed one. Returns ISO-8601 UTC. */
export interface Clock {
  now(): string;
}

/** Randomness for ids; adapters use crypto, tests a seeded sequence. */
export interface Random {
  /** `n` lower-case hex digits. */
  hex(n: number): string;
}

/** Plan ids keep the upstream shape `task_<8 hex>`. */
export function newPlanId(random: Random): string {
  return `task_${random.hex(8)}`;
}

/** Subtask ids keep the upstream shape `<role>_<6 hex>`. */
export function newTaskId(random: Random, role: string): string {
  return `${role}_${random.hex(6)}`;
}

/** Artifact ids keep the upstream shape `artifact_<8 hex>`. */
export function newArtifactId(random: Random): string {
  return `artifact_${random.hex(8)}`;
}

/** Adds `ms` milliseconds to an ISO time. */
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
