import { isOrchestratorError } from "../../core/errors.ts";
import { MIGRATIONS } from "../../store/migrations/index.ts";
import type { StorePort } from "../../store/port.ts";

/** One request's line on stderr: JSON, never arguments' contents or tokens. */
export interface RequestLog {
  time: string;
  request_id: string;
  method: string;
  path: string;
  status?: number;
  agent?: string;
  rpc?: string;
  tool?: string;
  outcome?: string;
  ms?: number;
}

/**
 * `/readyz`: ready when the server's database answers a query and has every migration this binary
 * knows. The reason names what is wrong, never the database's location (a URL may hold a password).
 */
export async function readiness(
  store: (() => Promise<StorePort>) | undefined,
): Promise<{ ready: boolean; reason?: string }> {
  if (!store) return { ready: true };
  try {
    const s = await store();
    await s.direct.countTokens();
    const missing = Object.keys(MIGRATIONS).filter((m) => !s.migrations.includes(m));
    if (missing.length > 0) return { ready: false, reason: `migrations not applied: ${missing.join(", ")}` };
    return { ready: true };
  } catch (e) {
    return {
      ready: false,
      reason: `the database cannot be used (${isOrchestratorError(e) ? e.code : "unreachable"})`,
    };
  }
}
