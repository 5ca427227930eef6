/**
 * A unified diff of two texts, by lines, for `install --dry-run` and the results the installer
 * prints. Our edits touch one entry, so the common head and tail are cut first and only the
 * middle is compared (LCS): a 5 MB ~/.claude.json costs a linear scan, not a quadratic table.
 */
export function unifiedDiff(before: string, after: string, path: string, context = 3): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const ops = [
    ...a.slice(0, head).map((line): Op => ({ kind: " ", line })),
    ...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((line): Op => ({ kind: " ", line })),
  ];
  const out = [`--- ${path}`, `+++ ${path}`];
  for (const hunk of hunks(ops, context)) out.push(...hunk.map(redactLine));
  return `${out.join("\n")}\n`;
}

/**
 * A diff line fit to print (install shows diffs on screen and in --json): a URL's password and
 * the value of a variable named like a secret (PGPASSWORD, *_TOKEN ...) become ***. The file
 * itself is written as asked; only what is shown is masked.
 */
function redactLine(line: string): string {
  return line
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"']*):[^/?#\s"']*@/gi, "$1:***@")
    .replace(
      /((?:"|')?\w*(?:PASSWORD|SECRET|TOKEN|PASSWD)\w*(?:"|')?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,}]+)/gi,
      '$1"***"',
    );
}

interface Op {
  readonly kind: " " | "-" | "+";
  readonly line: string;
}

/** Lines without their terminators; a missing final newline is marked as diff tools do. */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  else lines[lines.length - 1] = `${lines.at(-1)}\n\\ No newline at end of file`;
  return lines;
}

/** The edit script of two short line lists by longest common subsequence. */
function middle(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    // Too large to align line by line: show it as a replacement, which is still a correct diff.
    return [...a.map((line): Op => ({ kind: "-", line })), ...b.map((line): Op => ({ kind: "+", line }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) {
      ops.push({ kind: "-", line: a[i++] as string });
    } else {
      ops.push({ kind: "+", line: b[j++] as string });
    }
  }
  while (i < n) ops.push({ kind: "-", line: a[i++] as string });
  while (j < m) ops.push({ kind: "+", line: b[j++] as string });
  return ops;
}

/** Groups changes with `context` lines around them into `@@ -a,n +b,m @@` hunks. */
function hunks(ops: readonly Op[], context: number): string[][] {
  const changed = ops.map((o, k) => (o.kind === " " ? -1 : k)).filter((k) => k >= 0);
  const out: string[][] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - context);
    let end = Math.min(ops.length, (changed[k] as number) + context + 1);
    while (k + 1 < changed.length && (changed[k + 1] as number) - context <= end) {
      k++;
      end = Math.min(ops.length, (changed[k] as number) + context + 1);
    }
    k++;
    let oldStart = 1;
    let newStart = 1;
    for (const o of ops.slice(0, start)) {
      if (o.kind !== "+") oldStart++;
      if (o.kind !== "-") newStart++;
    }
    const body = ops.slice(start, end);
    const oldLen = body.filter((o) => o.kind !== "+").length;
    const newLen = body.filter((o) => o.kind !== "-").length;
    out.push([
      `@@ -${oldLen === 0 ? oldStart - 1 : oldStart},${oldLen} +${newLen === 0 ? newStart - 1 : newStart},${newLen} @@`,
      ...body.map((o) => `${o.kind}${o.line}`),
    ]);
  }
  return out;
}
