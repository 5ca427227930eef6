/*
 * Pan (drag), zoom (wheel around the pointer, buttons, keys) and fit for the graph: one
 * translate+scale on the viewport group, kept across live refreshes because the PlanGraph
 * that owns it outlives them.
 */
export interface PanZoom {
  fit(width: number, height: number): void;
  /** The scale `fit` would choose for a graph of this size. */
  fitScale(width: number, height: number): number;
  /** Shows a box (graph coordinates) at `scale`, a third of the way in from the left, centred vertically. */
  focusOn(x: number, y: number, w: number, h: number, scale: number): void;
  zoomBy(factor: number, cx?: number, cy?: number): void;
  /** Brings a box (graph coordinates) into view if it is outside. */
  reveal(x: number, y: number, w: number, h: number): void;
  /** Whether the last pointer gesture moved (then it was a pan, not a click). */
  dragged(): boolean;
}

const MIN = 0.02;
const MAX = 3;
/** Below this scale node text is unreadable: nodes are drawn as status-coloured blocks instead (CSS `.far`). */
const FAR = 0.4;
const PAD = 16;

export function attachPanZoom(svgEl: SVGSVGElement, viewport: SVGGElement): PanZoom {
  let x = 0;
  let y = 0;
  let k = 1;
  let moved = false;
  const apply = (): void => {
    viewport.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)}) scale(${k.toFixed(4)})`);
    svgEl.classList.toggle("far", k < FAR);
  };
  const size = (): { w: number; h: number } => {
    const r = svgEl.getBoundingClientRect();
    return { w: r.width || 800, h: r.height || 600 };
  };
  const zoomBy = (factor: number, cx?: number, cy?: number): void => {
    const { w, h } = size();
    const px = cx ?? w / 2;
    const py = cy ?? h / 2;
    const next = Math.min(MAX, Math.max(MIN, k * factor));
    x = px - ((px - x) * next) / k;
    y = py - ((py - y) * next) / k;
    k = next;
    apply();
  };

  svgEl.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const r = svgEl.getBoundingClientRect();
      zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    },
    { passive: false },
  );

  let start: { px: number; py: number; x: number; y: number; id: number } | null = null;
  svgEl.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    start = { px: e.clientX, py: e.clientY, x, y, id: e.pointerId };
    moved = false;
  });
  svgEl.addEventListener("pointermove", (e) => {
    if (!start || e.pointerId !== start.id) return;
    const dx = e.clientX - start.px;
    const dy = e.clientY - start.py;
    if (!moved && Math.hypot(dx, dy) < 4) return;
    if (!moved) svgEl.setPointerCapture(e.pointerId);
    moved = true;
    svgEl.classList.add("panning");
    x = start.x + dx;
    y = start.y + dy;
    apply();
  });
  const end = (e: PointerEvent): void => {
    if (!start || e.pointerId !== start.id) return;
    start = null;
    svgEl.classList.remove("panning");
    if (svgEl.hasPointerCapture(e.pointerId)) svgEl.releasePointerCapture(e.pointerId);
  };
  svgEl.addEventListener("pointerup", end);
  svgEl.addEventListener("pointercancel", end);

  const fitScale = (width: number, height: number): number => {
    const { w, h } = size();
    return Math.min(MAX, 1, Math.max(MIN, Math.min((w - PAD * 2) / width, (h - PAD * 2) / height)));
  };

  return {
    fit(width, height) {
      const { w, h } = size();
      k = fitScale(width, height);
      x = (w - width * k) / 2;
      y = (h - height * k) / 2;
      apply();
    },
    fitScale,
    focusOn(bx, by, bw, bh, scale) {
      const { w, h } = size();
      k = Math.min(MAX, Math.max(MIN, scale));
      x = w / 3 - (bx + bw / 2) * k;
      y = h / 2 - (by + bh / 2) * k;
      apply();
    },
    zoomBy,
    reveal(bx, by, bw, bh) {
      const { w, h } = size();
      const left = x + bx * k;
      const top = y + by * k;
      if (left < 0 || top < 0 || left + bw * k > w || top + bh * k > h) {
        x = w / 2 - (bx + bw / 2) * k;
        y = h / 2 - (by + bh / 2) * k;
        apply();
      }
    },
    dragged: () => moved,
  };
}
