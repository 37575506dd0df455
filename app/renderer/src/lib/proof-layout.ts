// Where each node of a drawn lookup proof goes. The proof is one path from
// the root (top) down to the terminal node; each level holds two children of
// the path node above: the one on the path and its sibling, on the left for
// bit 0 and the right for bit 1. Sizes depend only on the proof's depth, so
// redrawing an edited proof never moves anything.
import type { ProofAnalysis } from './proof-steps.ts';

export interface ProofShape {
  depth: number;
  /** bits[d - 1]: the bit of the index that chooses the child at depth d (0 = left). */
  bits: readonly (0 | 1)[];
  /** siblingEmpty[d - 1]: the sibling at depth d is an empty subtree. */
  siblingEmpty: readonly boolean[];
  terminalEmpty: boolean;
}

export interface LayoutNode {
  /** `path-<depth>` for the path (path-0 is the root), `sibling-<depth>` for siblings. */
  id: string;
  role: 'path' | 'sibling';
  depth: number;
  side: 'center' | 'left' | 'right';
  root: boolean;
  terminal: boolean;
  /** Drawn collapsed: an empty subtree. */
  empty: boolean;
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** Depth of the child. */
  depth: number;
  /** The branch: 0 = left child, 1 = right child. */
  bit: 0 | 1;
  onPath: boolean;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Where the edge's bit label goes. */
  labelX: number;
  labelY: number;
}

export interface ProofRow {
  depth: number;
  /** Centre line of the row. */
  y: number;
  /** The bit that chose the path node of this row (none for the root). */
  bit?: 0 | 1;
}

export interface ProofLayout {
  width: number;
  height: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  rows: ProofRow[];
  /** Left edge of the column of node boxes (the bit legend sits left of it). */
  gutter: number;
}

export interface LayoutDims {
  nodeWidth: number;
  nodeHeight: number;
  emptyWidth: number;
  emptyHeight: number;
  rowGap: number;
  /** Half the distance between the left and the right column. */
  spread: number;
  gutter: number;
  margin: number;
}

export const DEFAULT_DIMS: LayoutDims = { nodeWidth: 176, nodeHeight: 54, emptyWidth: 120, emptyHeight: 38, rowGap: 96, spread: 124, gutter: 72, margin: 14 };

/** The shape of an analysed proof: its depth, the bits on its path and which nodes are empty subtrees. */
export function proofShape(a: ProofAnalysis): ProofShape {
  const bits: (0 | 1)[] = new Array<0 | 1>(a.depth).fill(0);
  const siblingEmpty: boolean[] = new Array<boolean>(a.depth).fill(false);
  for (const s of a.steps) {
    if (s.kind !== 'combine') continue;
    bits[s.depth - 1] = s.bit;
    siblingEmpty[s.depth - 1] = s.siblingEmpty;
  }
  return { depth: a.depth, bits, siblingEmpty, terminalEmpty: a.terminal === 'empty' };
}

export function layoutProof(shape: ProofShape, dims: LayoutDims = DEFAULT_DIMS): ProofLayout {
  const { depth } = shape;
  if (shape.bits.length !== depth || shape.siblingEmpty.length !== depth) throw new RangeError('bits and siblingEmpty must have one entry per depth');
  const center = dims.gutter + dims.margin + dims.spread + dims.nodeWidth / 2;
  const width = center + dims.spread + dims.nodeWidth / 2 + dims.margin;
  const rowY = (d: number): number => dims.margin + dims.nodeHeight / 2 + d * dims.rowGap;
  const box = (empty: boolean): { width: number; height: number } => (empty ? { width: dims.emptyWidth, height: dims.emptyHeight } : { width: dims.nodeWidth, height: dims.nodeHeight });

  const nodes: LayoutNode[] = [];
  const edges: LayoutEdge[] = [];
  const rows: ProofRow[] = [{ depth: 0, y: rowY(0) }];
  const rootEmpty = depth === 0 && shape.terminalEmpty;
  nodes.push({ id: 'path-0', role: 'path', depth: 0, side: 'center', root: true, terminal: depth === 0, empty: rootEmpty, x: center, y: rowY(0), ...box(rootEmpty) });
  let parent = nodes[0]!;
  for (let d = 1; d <= depth; d++) {
    const bit = shape.bits[d - 1]!;
    const y = rowY(d);
    rows.push({ depth: d, y, bit });
    const terminal = d === depth;
    const pathEmpty = terminal && shape.terminalEmpty;
    const sibEmpty = shape.siblingEmpty[d - 1]!;
    const pathNode: LayoutNode = {
      id: `path-${d}`,
      role: 'path',
      depth: d,
      side: bit === 0 ? 'left' : 'right',
      root: false,
      terminal,
      empty: pathEmpty,
      x: center + (bit === 0 ? -dims.spread : dims.spread),
      y,
      ...box(pathEmpty),
    };
    const sibling: LayoutNode = {
      id: `sibling-${d}`,
      role: 'sibling',
      depth: d,
      side: bit === 0 ? 'right' : 'left',
      root: false,
      terminal: false,
      empty: sibEmpty,
      x: center + (bit === 0 ? dims.spread : -dims.spread),
      y,
      ...box(sibEmpty),
    };
    const left = bit === 0 ? pathNode : sibling;
    const right = bit === 0 ? sibling : pathNode;
    nodes.push(left, right);
    edges.push(edge(parent, left, 0, bit === 0), edge(parent, right, 1, bit === 1));
    parent = pathNode;
  }
  const height = rowY(depth) + dims.nodeHeight / 2 + dims.margin;
  return { width, height, nodes, edges, rows, gutter: dims.gutter };
}

function edge(from: LayoutNode, to: LayoutNode, bit: 0 | 1, onPath: boolean): LayoutEdge {
  const x1 = from.x;
  const y1 = from.y + from.height / 2;
  const x2 = to.x;
  const y2 = to.y - to.height / 2;
  // The label sits a little off the edge's middle, outward from the centre line.
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  const dx = x2 - x1;
  const offset = dx === 0 ? (bit === 0 ? -12 : 12) : dx < 0 ? -10 : 10;
  return { from: from.id, to: to.id, depth: to.depth, bit, onPath, x1, y1, x2, y2, labelX: mx + offset, labelY: my };
}
