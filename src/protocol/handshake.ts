import { SERVER_INSTRUCTIONS } from "../core/guidance.ts";

/**
 * What the server says about itself in `initialize`, in one place with no SDK import, so the
 * supervisor can answer `initialize` at once (cold start: it does not wait for the worker to
 * load the SDK) with exactly what the worker would say. tests/unit/handshake.test.ts holds these
 * equal to the SDK's constants and tests/e2e/reboot.test.ts to the worker's own answer.
 */
export const SERVER_NAME = "orchestrator";
export const SERVER_TITLE = "Task Orchestrator";

/** The SDK's LATEST_PROTOCOL_VERSION and SUPPORTED_PROTOCOL_VERSIONS (@modelcontextprotocol/sdk 1.32). */
export const LATEST_PROTOCOL_VERSION = "2025-11-25";
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  LATEST_PROTOCOL_VERSION,
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07",
];

/**
 * The version our own clients ask for (doctor's live and remote probes, the benches, the build's
 * bytecode-order run): the one every client in the field speaks, not our newest.
 */
export const CLIENT_PROTOCOL_VERSION = "2025-06-18";

/** The params of an `initialize` request as our own clients send it. */
export function initializeParams(
  clientName: string,
  clientVersion: string,
): {
  protocolVersion: string;
  capabilities: Record<string, never>;
  clientInfo: { name: string; version: string };
} {
  return {
    protocolVersion: CLIENT_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: clientName, version: clientVersion },
  };
}

/** A whole `initialize` request (JSON-RPC) as our own clients send it. */
export function initializeRequest(
  id: number,
  clientName: string,
  clientVersion: string,
): Record<string, unknown> {
  return { jsonrpc: "2.0", id, method: "initialize", params: initializeParams(clientName, clientVersion) };
}

/** The capabilities the worker ends up declaring once its tools, resources and prompts are registered. */
export const SERVER_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { listChanged: true },
  prompts: { listChanged: true },
  logging: {},
} as const;

/** The `initialize` result for a client that asked for `requested` (the SDK's negotiation rule). */
export function initializeResult(requested: unknown, version: string): Record<string, unknown> {
  const protocolVersion =
    typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
      ? requested
      : LATEST_PROTOCOL_VERSION;
  return {
    protocolVersion,
    capabilities: SERVER_CAPABILITIES,
    serverInfo: { name: SERVER_NAME, title: SERVER_TITLE, version },
    instructions: SERVER_INSTRUCTIONS,
  };
}
