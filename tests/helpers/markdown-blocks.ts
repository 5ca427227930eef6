/** One fenced code block of a Markdown file. */
export interface FencedBlock {
  /** The info string's first word (`sh`, `text`, `yaml`, ...); "" when there is none. */
  readonly lang: string;
  /** The block's text, without the fences, ending with a newline. */
  readonly code: string;
  /** 1-based line number of the opening fence. */
  readonly line: number;
}

/**
 * The fenced code blocks of a Markdown text (``` and ~~~ fences, as CommonMark reads them: a
 * block closes at a fence of the same character at least as long as the opening one).
 */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  let open: { fence: string; lang: string; line: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    if (!open) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
      if (m?.[1]) open = { fence: m[1], lang: m[2] ?? "", line: i + 1, body: [] };
      return;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
    if (close?.[1] && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push({ lang: open.lang, code: `${open.body.join("\n")}\n`, line: open.line });
      open = undefined;
      return;
    }
    open.body.push(text);
  });
  if (open) throw new Error(`unclosed code fence opened at line ${open.line}`);
  return blocks;
}

/** The exit code a block expects: `# expect-exit: N` on its first line, else 0. */
export function expectedExit(code: string): number {
  const m = /^#\s*expect-exit:\s*(\d+)\s*$/.exec(code.split("\n")[0] ?? "");
  return m?.[1] ? Number(m[1]) : 0;
}
