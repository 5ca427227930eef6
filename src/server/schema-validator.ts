import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

/**
 * The SDK server's JSON Schema validator, created on first use. The SDK builds an Ajv instance
 * (with every string format) in each server's constructor, for the one request that needs it:
 * validating an elicitation answer, which this server never asks for. Built lazily, constructing
 * a server costs ~0.003 ms instead of 0.15–0.5 ms, which `serve --http` pays per request (it
 * builds a server for each). Idle memory did not move measurably (docs/performance.md).
 */
export function lazySchemaValidator(): jsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return {
    getValidator: (schema) => {
      ajv ??= new AjvJsonSchemaValidator();
      return ajv.getValidator(schema);
    },
  };
}
