import { CLIENTS, type ClientId } from "../../install/clients.ts";
import { gateInputFor } from "../../install/gate-files.ts";
import { gateNotice } from "../../install/gates.ts";
import type { ClientResult } from "../../install/run.ts";
import type { InstallEnv, Scope } from "../../install/types.ts";

/** The trust or approval line a client needs before it loads the entry just written, if any. */
export function gateNoticeFor(
  env: InstallEnv,
  id: ClientId,
  scope: Scope,
  folder: string,
): string | undefined {
  return gateNotice(id, CLIENTS[id].label, scope, gateInputFor(env, folder));
}

/** Adds the gate notices to install results whose entry is (or would be) in place. */
export function withGateNotices(
  env: InstallEnv,
  results: readonly ClientResult[],
  folder: string,
): ClientResult[] {
  return results.map((r) => {
    if (r.status === "refused" || r.status === "rolled_back") return r;
    const notice = gateNoticeFor(env, r.client, r.scope, folder);
    return notice ? { ...r, notices: [...(r.notices ?? []), notice] } : r;
  });
}
