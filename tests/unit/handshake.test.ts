import { expect, test } from "bun:test";
import * as sdk from "@modelcontextprotocol/sdk/types.js";
import {
  initializeResult,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "../../src/protocol/handshake.ts";

// The supervisor answers initialize without loading the SDK: its copy of the SDK's protocol
// versions must not drift when the SDK is upgraded.
test("the supervisor's protocol versions are the SDK's", () => {
  expect(LATEST_PROTOCOL_VERSION).toBe(sdk.LATEST_PROTOCOL_VERSION);
  expect([...SUPPORTED_PROTOCOL_VERSIONS]).toEqual([...sdk.SUPPORTED_PROTOCOL_VERSIONS]);
});

test("negotiation: a supported version is echoed, anything else gets the latest", () => {
  expect(initializeResult("2025-06-18", "1.0.0").protocolVersion).toBe("2025-06-18");
  expect(initializeResult("1999-01-01", "1.0.0").protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
  expect(initializeResult(undefined, "1.0.0").protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
});
