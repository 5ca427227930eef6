import { existsSync, readFileSync } from "node:fs";
import { type ClientId, clientSpec, configFiles, hasScope } from "../../install/clients.ts";
import { readEntry } from "../../install/edit/index.ts";
import { gateInputFor } from "../../install/gate-files.ts";
import { GATES } from "../../install/gates.ts";
import { type Scope, SERVER_NAME } from "../../install/types.ts";
import { findProjectRoot } from "../../workspace/resolve.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, ok, warn } from "../report.ts";

/**
 * For each client that gates servers behind folder trust or approval, and has our entry in a
 * scope the gate holds back: whether the client will load it in this project, and how to let it.
 * A closed gate is a warning, not a failure: the entry is right, the person has a choice to make.
 */
export function checkTrust(ctx: DoctorContext): Finding[] {
  const folder =
    ctx.projectDir ?? ctx.workspace ?? findProjectRoot(ctx.env.cwd, ctx.env.homedir) ?? ctx.env.cwd;
  const input = gateInputFor(ctx.install, folder);
  const out: Finding[] = [];
  for (const id of ctx.clients) {
    const gate = GATES[id];
    if (!gate) continue;
    const scopes = gate.scopes.filter(
      (s) => (ctx.scopes === undefined || ctx.scopes.includes(s)) && hasOurEntry(ctx, id, s, folder),
    );
    if (scopes.length === 0) continue;
    const state = gate.evaluate(input);
    const spec = clientSpec(id);
    const held = `our ${scopes.join(" and ")} entry`;
    out.push(
      state.status === "open"
        ? ok("clients", `clients.${id}.gate`, `${spec.label} ${gate.title}`, `${state.detail}: ${held} loads`)
        : warn(
            "clients",
            `clients.${id}.gate`,
            `${spec.label} ${gate.title}`,
            `${state.detail}; ${held} is held back`,
            state.fix,
          ),
    );
  }
  return out;
}

function hasOurEntry(ctx: DoctorContext, id: ClientId, scope: Scope, folder: string): boolean {
  if (!hasScope(id, scope)) return false;
  // Every file the client reads for the scope (OpenCode has two), not only the one install creates.
  return configFiles(id, scope, ctx.install, folder).some((loc) => {
    if (!existsSync(loc.path)) return false;
    try {
      const edit = { format: loc.format, keyPath: loc.keyPath, container: loc.container, name: SERVER_NAME };
      return readEntry(readFileSync(loc.path, "utf8"), edit) !== undefined;
    } catch {
      // A file that does not parse is the clients check's finding; no gate applies to it.
      return false;
    }
  });
}
