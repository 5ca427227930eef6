import { z } from "zod";
import type { ResolvedWorkspace } from "../../workspace/resolve.ts";

/** Fields every result carries so the client always sees which project was used. */
export const workspaceShape = {
  workspace: z.string().describe("Absolute path of the workspace this call used"),
  workspace_source: z
    .enum(["argument", "session", "server", "client_roots", "project_marker"])
    .describe("Which rule chose the workspace"),
};

export function workspaceFields(ws: ResolvedWorkspace): {
  workspace: string;
  workspace_source: ResolvedWorkspace["source"];
} {
  return { workspace: ws.path, workspace_source: ws.source };
}
