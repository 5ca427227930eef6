import type { Artifact, ArtifactReading } from "../core/artifact.ts";
import { sha256 } from "../platform/fs.ts";
import type { AppContext } from "./context.ts";

/**
 * The text of each of `artifacts`, from the store (so another machine's results read the same
 * here) or, for rows written before 2026-12 that hold none, from the file as before. A stored
 * text is checked against its row's size and sha256 on every read: a text altered in the database
 * is never handed on as the task's result.
 *
 * `restore`: also rewrite each local copy that is missing or differs from the store. Only calls
 * that may write pass it (execute_subtask, validate_structure's repair); reading tools and the
 * CLI's reading commands create no file.
 */
export async function readArtifactTexts(
  ctx: AppContext,
  artifacts: readonly Artifact[],
  opts: { readonly restore: boolean } = { restore: false },
): Promise<Map<string, ArtifactReading>> {
  const out = new Map<string, ArtifactReading>();
  const inStore = artifacts.filter((a) => a.inStore);
  const texts =
    inStore.length > 0
      ? await ctx.store.direct.findArtifactContents(
          ctx.project,
          inStore.map((a) => a.id),
        )
      : new Map<string, string>();
  for (const a of artifacts) {
    const text = texts.get(a.id);
    if (text === undefined) {
      out.set(a.id, await readFile(ctx, a));
      continue;
    }
    const bytes = Buffer.from(text, "utf8");
    if (bytes.length !== a.size || sha256(bytes) !== a.sha256) {
      out.set(a.id, {
        problem: "altered_in_store",
        detail: `the text stored for artifact ${a.id} (${bytes.length} bytes) does not match the size and sha256 recorded when it was written (${a.size} bytes); the database was changed outside this orchestrator`,
      });
      continue;
    }
    out.set(a.id, { text, from: "store", checksumOk: true });
    // Size only: reading every dependency's copy back on each execute would cost more than it finds.
    if (opts.restore) await restoreLocalCopy(ctx, a, bytes, false);
  }
  return out;
}

async function readFile(ctx: AppContext, a: Artifact): Promise<ArtifactReading> {
  const read = await ctx.files.readArtifact(a.path);
  if ("unreadable" in read) {
    return {
      problem: "file_unreadable",
      detail: `artifact ${a.id} is recorded at ${a.path} (written before artifacts were kept in the store), but that file cannot be read (${read.unreadable})`,
      cause: read.cause,
    };
  }
  return { text: read.text, from: "file", checksumOk: read.sha256 === a.sha256 };
}

/**
 * Rewrites a local copy that is missing or differs from the store (`deep`: compared by sha256,
 * else by size). Best effort: the text was read from the store, so a copy that cannot be written
 * only stays missing until the next try; `validate_structure` reports it. Returns whether it wrote.
 */
export async function restoreLocalCopy(
  ctx: AppContext,
  a: Artifact,
  bytes: Uint8Array,
  deep: boolean,
): Promise<boolean> {
  // A copy still queued (complete_subtask's, written after its answer) is not missing.
  await ctx.files.copiesSettled(a.path);
  const state = ctx.files.verifyArtifact(a, deep);
  if (state.state === "intact" || state.state === "refused") return false;
  return ctx.files.writeArtifact(a.path, bytes).then(
    () => true,
    () => false,
  );
}
