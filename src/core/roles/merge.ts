import { BUILTIN_ROLES } from "./builtin.ts";
import { BUILTIN_ROLE_NAMES, type Role, type RoleFileEntry } from "./role.ts";

/** The 7 built-in roles as complete Role values. */
export function builtinRoles(): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const name of BUILTIN_ROLE_NAMES) roles.set(name, { name, source: "builtin", ...BUILTIN_ROLES[name] });
  return roles;
}

/**
 * Merges role files (already parsed and validated, in name order) over the built-ins: a later
 * file overrides the keys it names and keeps the rest. A new name becomes a custom role; its
 * missing fields get neutral defaults so a prompt can always be built.
 */
export function mergeRoles(files: readonly Readonly<Record<string, RoleFileEntry>>[]): Map<string, Role> {
  const roles = builtinRoles();
  for (const entries of files) {
    for (const [name, entry] of Object.entries(entries)) {
      const base: Role = roles.get(name) ?? {
        name,
        source: "custom",
        summary: `${name.replaceAll(/[_-]/g, " ")} specialist`,
        role_definition: `You are a ${name.replaceAll(/[_-]/g, " ")} specialist.`,
        expertise: [],
        approach: [],
        output_format: "",
      };
      const defined = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
      roles.set(name, { ...base, ...defined, source: base.source === "builtin" ? "override" : base.source });
    }
  }
  return roles;
}
