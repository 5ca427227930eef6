import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname } from "node:path";
import { sha256 } from "../../platform/fs.ts";
import type { LocalText } from "../../store/copy/copy.ts";
import type { StorePort } from "../../store/port.ts";
import { checkStoredDataPath } from "../../workspace/layout.ts";

/**
 * Where `store copy` finds the text of an artifact row written before texts were kept in the
 * store: its file in a checkout of the project on this machine (the --workspace given, the
 * workspace whose own database the source is, the checkouts the source recorded for this host, or
 * an old path key itself). Only a file whose size and sha256 match the row is taken; paths go
 * through the data-folder wall like every other read.
 */
export function localTextReader(opts: {
  readonly source: string;
  readonly sourceIsFile: boolean;
  readonly workspace?: string | undefined;
  readonly store: StorePort;
}): LocalText {
  const here = hostname();
  return async (project, row) => {
    const candidates = new Set<string>();
    if (opts.workspace) candidates.add(opts.workspace);
    if (
      opts.sourceIsFile &&
      basename(opts.source) === "orchestrator.db" &&
      basename(dirname(opts.source)) === ".task_orchestrator"
    ) {
      candidates.add(dirname(dirname(opts.source)));
    }
    if (project.startsWith("/")) candidates.add(project);
    for (const c of await opts.store.direct.findProjectCheckouts(project).catch(() => [])) {
      if (c.host === here) candidates.add(c.path);
    }
    for (const ws of candidates) {
      const checked = checkStoredDataPath(ws, String(row.path));
      if (!("path" in checked)) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(checked.path);
      } catch {
        continue;
      }
      if (bytes.length === Number(row.size) && sha256(bytes) === row.sha256) return bytes.toString("utf8");
    }
    return undefined;
  };
}
