/* The plan graph layout's shapes, shared by graph-layout.ts (dagre) and graph-layered.ts. */

export interface LayoutTask {
  readonly id: string;
  readonly dependencies: readonly string[];
}

export interface NodeBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgeRoute {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  /** Top-left corner of each node's box. */
  readonly nodes: ReadonlyMap<string, NodeBox>;
  readonly edges: readonly EdgeRoute[];
  readonly width: number;
  readonly height: number;
}
