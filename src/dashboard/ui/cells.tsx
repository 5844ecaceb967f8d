/** Pod cells: one small square per pod, coloured by state, with the reason it is not ready. */
import { Component } from 'preact';
import type { PodCell } from '../model.ts';

const short = (name: string) => name.length > 12 ? `…${name.slice(-5)}` : name;

export function describeCell(p: PodCell): string {
  return [p.name, p.ready ? 'ready' : p.reason || p.phase, p.restarts ? `${p.restarts} restarts` : '', p.node ? `on ${p.node}` : 'not scheduled', p.message]
    .filter(Boolean).join(' · ');
}

interface CellProps { p: PodCell; full?: boolean; hideNode?: boolean }

/** What a cell shows; a cell is re-rendered only when this changes (a board of 100 pods redraws a handful). */
const shown = ({ p, full, hideNode }: CellProps) =>
  `${p.name}|${p.state}|${p.phase}|${p.ready}|${p.restarts}|${p.node}|${p.reason}|${p.message}|${full}|${hideNode}`;

export class Cell extends Component<CellProps> {
  shouldComponentUpdate(next: CellProps): boolean { return shown(next) !== shown(this.props); }
  render() { return <CellView {...this.props} />; }
}

function CellView({ p, full, hideNode }: CellProps) {
  return (
    <li class={`cell s-${p.state}`} data-pod={p.name} data-state={p.state} data-reason={p.reason} title={describeCell(p)} aria-label={describeCell(p)}>
      <span class="cell-name">{full ? p.name : short(p.name)}</span>
      {p.reason ? <span class="cell-reason">{p.reason}</span> : null}
      <span class="cell-meta">{p.restarts ? <span class="restarts" data-restarts={p.restarts}>↻{p.restarts}</span> : null}{hideNode ? null : <span class="node">{p.node || 'unscheduled'}</span>}</span>
    </li>
  );
}

export function Cells({ pods, full, hideNode, label }: { pods: PodCell[]; full?: boolean; hideNode?: boolean; label: string }) {
  if (!pods.length) return <p class="muted small">no pods</p>;
  return <ul class={full ? 'cells full' : 'cells'} aria-label={label}>{pods.map((p) => <Cell key={p.name} p={p} full={full} hideNode={hideNode} />)}</ul>;
}
