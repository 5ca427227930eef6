import { z } from "zod";

/** Role names are what `specialist_type` holds: short, lower-case, safe in ids and file names. */
export const RoleNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,49}$/,
    "a role name is 1-50 characters: lower-case letters, digits, '_' or '-', starting with a letter",
  );
export type RoleName = z.infer<typeof RoleNameSchema>;

/** One role as written in a roles YAML file (every key optional so a file can override one field). */
export const RoleFileEntrySchema = z
  .object({
    summary: z.string().optional(),
    role_definition: z.string().optional(),
    expertise: z.array(z.string()).optional(),
    approach: z.array(z.string()).optional(),
    output_format: z.string().optional(),
  })
  .strict();
export type RoleFileEntry = z.infer<typeof RoleFileEntrySchema>;

/** A complete role, ready to build a specialist prompt from. */
export const RoleSchema = z.object({
  name: RoleNameSchema,
  summary: z.string(),
  role_definition: z.string(),
  expertise: z.array(z.string()),
  approach: z.array(z.string()),
  output_format: z.string(),
  source: z.enum(["builtin", "custom", "override"]),
});
export type Role = z.infer<typeof RoleSchema>;

export const BUILTIN_ROLE_NAMES = [
  "architect",
  "implementer",
  "debugger",
  "documenter",
  "reviewer",
  "tester",
  "researcher",
] as const;
export type BuiltinRoleName = (typeof BUILTIN_ROLE_NAMES)[number];
