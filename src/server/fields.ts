import { z } from "zod";

/**
 * Input fields several tools take, defined once so their rules cannot drift apart. Where a field
 * means something different per tool (who cancels, who did the work), the tool adds its own
 * description to the shared rule.
 */

export const workingDirectoryField = z.string().min(1).optional().describe("Absolute project path");

export const requestIdField = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits and . _ : - only")
  .optional()
  .describe("Retry key: within 24 h, the same id returns the first result");

/** Who acts, for claims and history; each tool describes the role (default: the connection's agent id). */
export const agentIdField = z.string().min(1).max(200).optional();
