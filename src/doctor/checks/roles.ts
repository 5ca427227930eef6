import { createRoleLoader } from "../../workspace/roles.ts";
import { type Finding, fail, ok, skip } from "../report.ts";

/** Every role file parses; which custom roles and overrides are in effect. */
export function checkRoles(workspace: string | undefined): Finding[] {
  if (!workspace) return [skip("roles", "roles.files", "Role files", "no workspace from here")];
  const snap = createRoleLoader().load(workspace);
  const custom = [...snap.roles.values()].filter((r) => r.source !== "builtin");
  const out: Finding[] = snap.errors.map((e, i) =>
    fail(
      "roles",
      `roles.error.${i + 1}`,
      "Role file",
      // The loader's message already names the file (and line), as the server reports it.
      e.message.includes(e.file) ? e.message : `${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}`,
      `Fix ${e.file}${e.line ? ` at line ${e.line}` : ""}; until then the roles in it are not available (the other files still load).`,
    ),
  );
  out.unshift(
    ok(
      "roles",
      "roles.files",
      "Role files",
      snap.files.length === 0
        ? "none: the 7 built-in roles are used"
        : `${snap.files.length} file(s); ${custom.length === 0 ? "no custom roles" : custom.map((r) => `${r.name}${r.source === "override" ? " (overrides built-in)" : ""}`).join(", ")}`,
    ),
  );
  return out;
}
