import { ERROR_CATALOGUE, type ErrorCode } from "../core/errors.ts";

/**
 * Where an error result carries its code and data for programs. Not in structuredContent: that
 * must match the tool's outputSchema, and SDK clients reject a result whose structuredContent
 * does not, even when isError is set, so the model would never see the error.
 */
export const ERROR_META_KEY = "orchestrator/error";

/**
 * The one shape of a tool's error result: "CODE: message" and what to do, and the same in _meta.
 * No SDK import, so the supervisor builds its refusals with it too.
 */
export function errorResult(
  code: ErrorCode,
  message: string,
  data?: Readonly<Record<string, unknown>>,
): { isError: true; content: { type: "text"; text: string }[]; _meta: Record<string, unknown> } {
  const fix = ERROR_CATALOGUE[code].fix;
  return {
    isError: true,
    content: [{ type: "text", text: `${code}: ${message}\nWhat to do: ${fix}` }],
    _meta: { [ERROR_META_KEY]: { code, message, fix, ...(data ? { data } : {}) } },
  };
}
