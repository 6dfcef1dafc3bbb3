import { graphlib, layout } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import { STEP_STATUS, type StepStatus } from './status.ts';
import type { GraphEdge, GraphNode, StateGraph } from './types.ts';

/**
 * A state machine drawn from its ASL: dagre lays the states out (top to bottom), the page draws
 * them as SVG. The layout depends on the definition only, so a live update recolours states and
 * edges without moving anything.
 */

interface Placed {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly label?: string;
  readonly points: readonly { x: number; y: number }[];
}

interface Layout {
  readonly nodes: readonly Placed[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

const FONT_WIDTH = 6.6;

function nodeSize(node: GraphNode): { width: number; height: number } {
  if (node.id === '__start__' || node.id === '__end__') return { width: 70, height: 30 };
  return { width: Math.min(260, Math.max(120, node.label.length * FONT_WIDTH + 40)), height: 36 };
}

/**
 * A catch-all edge (`States.ALL`, `States.TaskFailed`): every step has one to the failure path,
 * so drawing them all buries the playbook's own flow. They are laid out and drawn only when
 * taken; the legend says where errors go.
 */
export function isCatchAll(edge: { kind: string; label?: string | undefined }): boolean {
  return edge.kind === 'catch' && /States\.(ALL|TaskFailed)/.test(edge.label ?? '');
}

/** Lays out the graph with dagre (catch-all edges only when `taken` names them). */
export function layoutGraph(graph: StateGraph, taken: ReadonlySet<string> = new Set()): Layout {
  const g = new graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 34, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { ...nodeSize(node) });
  const shown = (edge: GraphEdge): boolean => !isCatchAll(edge) || taken.has(`${edge.from}→${edge.to}`);
  graph.edges.forEach((edge, index) => {
    if (shown(edge) && g.hasNode(edge.from) && g.hasNode(edge.to))
      g.setEdge(edge.from, edge.to, { minlen: 1 }, String(index));
  });
  layout(g);
  const nodes = graph.nodes.map((node) => {
    const placed = g.node(node.id) as { x: number; y: number; width: number; height: number };
    return { node, x: placed.x, y: placed.y, width: placed.width, height: placed.height };
  });
  const edges = graph.edges.flatMap((edge, index) => {
    if (!shown(edge)) return [];
    const placed = g.edge({ v: edge.from, w: edge.to, name: String(index) }) as
      | { points?: { x: number; y: number }[] }
      | undefined;
    return placed?.points === undefined ? [] : [{ ...edge, points: placed.points }];
  });
  const info = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: info.width ?? 400, height: info.height ?? 300 };
}

/** Each state's status from the path taken (states entered in order). */
export function stepStatuses(
  graph: StateGraph,
  path: readonly string[],
  options: { waitingState?: string | undefined; failedState?: string | undefined; running: boolean },
): Map<string, StepStatus> {
  const out = new Map<string, StepStatus>();
  const catchEdges = new Set(graph.edges.filter((e) => e.kind === 'catch').map((e) => `${e.from}→${e.to}`));
  path.forEach((state, index) => {
    const next = path[index + 1];
    out.set(state, next !== undefined && catchEdges.has(`${state}→${next}`) ? 'caught' : 'succeeded');
  });
  const last = path.at(-1);
  if (options.running && last !== undefined) out.set(last, 'in-progress');
  if (options.waitingState !== undefined) out.set(options.waitingState, 'waiting');
  if (options.failedState !== undefined) out.set(options.failedState, 'failed');
  if (path.length > 0) out.set('__start__', 'succeeded');
  if (
    path.length > 0 &&
    !options.running &&
    options.failedState === undefined &&
    options.waitingState === undefined
  )
    out.set('__end__', 'succeeded');
  return out;
}

function edgePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

export interface GraphViewProps {
  readonly graph: StateGraph;
  readonly statuses?: Map<string, StepStatus>;
  readonly path?: readonly string[];
  readonly selected?: string | undefined;
  readonly onSelect?: (state: string) => void;
  readonly title: string;
}

export function GraphView({ graph, statuses, path = [], selected, onSelect, title }: GraphViewProps) {
  const taken = new Set(path.slice(1).map((state, i) => `${path[i]}→${state}`));
  if (path.length > 0) taken.add(`__start__→${path[0]}`);
  const last = path.at(-1);
  if (last !== undefined) taken.add(`${last}→__end__`);
  // Re-laid out only when a new catch-all edge is taken (a failure), never on a recolour.
  const takenCatchAll = graph.edges
    .filter((e) => isCatchAll(e) && taken.has(`${e.from}→${e.to}`))
    .map((e) => `${e.from}→${e.to}`)
    .join('|');
  const placed = useMemo(() => layoutGraph(graph, new Set(takenCatchAll.split('|'))), [graph, takenCatchAll]);
  return (
    <svg
      class="graph"
      role="img"
      aria-label={title}
      viewBox={`0 0 ${placed.width} ${placed.height}`}
      width={placed.width}
      height={placed.height}
      style={{ maxWidth: '100%', height: 'auto' }}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#94a3b8" />
        </marker>
        <marker
          id="arrow-taken"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#0f172a" />
        </marker>
      </defs>
      {placed.edges.map((edge) => {
        const on = taken.has(`${edge.from}→${edge.to}`);
        const mid = edge.points[Math.floor(edge.points.length / 2)];
        return (
          <g
            key={`${edge.from}-${edge.to}-${edge.kind}`}
            class={`edge edge-${edge.kind}${on ? ' taken' : ''}`}
          >
            <path d={edgePath(edge.points)} marker-end={on ? 'url(#arrow-taken)' : 'url(#arrow)'} />
            {edge.label !== undefined && mid !== undefined && edge.kind !== 'next' ? (
              <text x={mid.x + 4} y={mid.y - 3} class="edge-label">
                {edge.label.length > 28 ? `${edge.label.slice(0, 27)}…` : edge.label}
              </text>
            ) : null}
          </g>
        );
      })}
      {placed.nodes.map(({ node, x, y, width, height }) => {
        const status = statuses?.get(node.id) ?? 'not-run';
        const style = STEP_STATUS[status];
        const plain = status === 'not-run';
        const round =
          node.kind === 'start' || node.kind === 'end'
            ? Math.min(height / 2, 14)
            : node.kind === 'choice'
              ? 14
              : 6;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG state cannot be a <button>; it takes focus and Enter
          <g
            key={node.id}
            class={`node node-${node.kind}${selected === node.id ? ' selected' : ''}`}
            transform={`translate(${x - width / 2},${y - height / 2})`}
            onClick={() => onSelect?.(node.id)}
            role="button"
            aria-label={`${node.label}: ${style.label}`}
            tabIndex={onSelect === undefined ? -1 : 0}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onSelect?.(node.id);
            }}
          >
            <title>{`${node.label} (${node.kind}) — ${style.label}`}</title>
            <rect
              width={width}
              height={height}
              rx={round}
              fill={plain ? '#ffffff' : `${style.colour}14`}
              stroke={plain ? '#cbd5e1' : style.colour}
              stroke-width={plain ? 1 : 2}
              stroke-dasharray={node.kind === 'approval' && plain ? '4 3' : undefined}
            />
            <text x={10} y={height / 2 + 4} class="node-icon" fill={plain ? '#94a3b8' : style.colour}>
              {node.kind === 'approval' && plain ? '◔' : style.icon}
            </text>
            <text x={26} y={height / 2 + 4} class="node-label" fill={plain ? '#64748b' : '#0f172a'}>
              {node.label.length > 34 ? `${node.label.slice(0, 33)}…` : node.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function GraphLegend() {
  return (
    <ul class="legend" aria-label="Graph legend">
      <li>
        <span class="legend-line taken" /> path taken
      </li>
      <li>
        <span class="legend-line catch" /> caught error
      </li>
      {Object.entries(STEP_STATUS).map(([key, style]) => (
        <li key={key}>
          <span class="legend-swatch" style={{ borderColor: style.colour, color: style.colour }}>
            {style.icon}
          </span>
          {style.label}
        </li>
      ))}
      <li class="muted">Any other step error goes to the failure path (drawn when it happens).</li>
    </ul>
  );
}
