/**
 * The mixing board: each Deployment and Rollout as a board with one fader per ReplicaSet moving live (watches of
 * deployments, replicasets, pods — and rollouts, analysisruns), the fence posts and the current step in words.
 */
import { Component } from 'preact';
import { useMemo } from 'preact/hooks';
import { K } from './api.ts';
import { useInformer } from './informer.ts';
import { Problems } from './problems.tsx';
import { deploymentBoard, podsByOwner, replicaSetsByOwner, rolloutBoard, type Board, type Fader, type Obj } from '../model.ts';
import { deploymentActions, deploymentUndo, pending, rolloutActions, rolloutUndo, type Action } from './actions.ts';
import { Cells } from './cells.tsx';

const byName = (a: Obj, b: Obj) => String(a.metadata?.name).localeCompare(String(b.metadata?.name));

/** The resourceVersions of what a board is drawn from: it is redrawn only when one of them changes. */
function signature(objs: Obj[]): string {
  let s = '';
  for (const o of objs) s += `${o.metadata?.uid}@${o.metadata?.resourceVersion};`;
  return s;
}

interface LiveProps { sig: string; draw: () => { board: Board; actions: Action[]; undo: (revision: number) => Action } }

/**
 * One board, redrawn only when its own objects change (with 1,000 pods, a pod of another Deployment changing
 * redraws nothing here).
 */
class LiveBoard extends Component<LiveProps> {
  shouldComponentUpdate(next: LiveProps): boolean { return next.sig !== this.props.sig; }
  render() { const v = this.props.draw(); return <BoardView board={v.board} actions={v.actions} undo={v.undo} />; }
}

export function Boards({ namespace }: { namespace: string }) {
  const deps = useInformer(K.deployments, namespace);
  const rss = useInformer(K.replicasets, namespace);
  const pods = useInformer(K.pods, namespace);
  const ros = useInformer(K.rollouts, namespace);
  const rsMap = rss.items.value;
  const podMap = pods.items.value;
  const rsBy = useMemo(() => replicaSetsByOwner(rsMap.values()), [rsMap]);
  const podBy = useMemo(() => podsByOwner(podMap.values()), [podMap]);
  const podsOf = (uid: string) => podBy.get(uid) ?? [];
  const dList = [...deps.items.value.values()].sort(byName);
  const rList = [...ros.items.value.values()].sort(byName);
  const synced = deps.synced.value && rss.synced.value && pods.synced.value;
  return (
    <div class="boards">
      <Problems infs={[deps, rss, pods]} />
      {synced && !dList.length && !rList.length ? <p class="muted">No Deployments or Rollouts in namespace {namespace}.</p> : null}
      {dList.map((d) => {
        const mine = rsBy.get(d.metadata.uid) ?? [];
        const sig = signature([d, ...mine, ...mine.flatMap((rs) => podsOf(rs.metadata.uid))]);
        return <LiveBoard key={d.metadata.uid} sig={sig} draw={() => ({ board: deploymentBoard(d, mine, podsOf), actions: deploymentActions(d), undo: (rev) => deploymentUndo(d, mine, rev) })} />;
      })}
      {rList.length ? <RolloutBoards namespace={namespace} rollouts={rList} rsBy={rsBy} podsOf={podsOf} /> : null}
    </div>
  );
}

/** Rollouts, with their AnalysisRuns watched only while there are Rollouts to show. */
function RolloutBoards({ namespace, rollouts, rsBy, podsOf }: { namespace: string; rollouts: Obj[]; rsBy: Map<string, Obj[]>; podsOf: (uid: string) => Obj[] }) {
  const runs = useInformer(K.analysisruns, namespace);
  const runBy = useMemo(() => podsByOwner(runs.items.value.values()), [runs.items.value]);
  return (
    <>
      <Problems infs={[runs]} />
      {rollouts.map((ro) => {
        const mine = rsBy.get(ro.metadata.uid) ?? [];
        const runs = runBy.get(ro.metadata.uid) ?? [];
        const sig = signature([ro, ...mine, ...mine.flatMap((rs) => podsOf(rs.metadata.uid)), ...runs]);
        return <LiveBoard key={ro.metadata.uid} sig={sig} draw={() => ({ board: rolloutBoard(ro, mine, podsOf, runs), actions: rolloutActions(ro), undo: (rev) => rolloutUndo(ro, mine, rev) })} />;
      })}
    </>
  );
}

function ActionButtons({ actions }: { actions: Action[] }) {
  return (
    <div class="actions" role="group" aria-label="actions">
      {actions.map((a) => <button type="button" class={a.danger ? 'danger' : ''} onClick={() => { pending.value = a; }}>{a.label}</button>)}
    </div>
  );
}

export function BoardView({ board, actions, undo }: { board: Board; actions: Action[]; undo: (revision: number) => Action }) {
  const live = board.faders.filter((f) => f.isNew || f.current > 0 || f.desired > 0);
  const history = board.faders.filter((f) => !live.includes(f));
  const scale = Math.max(board.replicas + (board.maxSurge ?? 0), ...live.map((f) => Math.max(f.current, f.desired)), 1);
  const id = `board-${board.uid}`;
  return (
    <section class="board card" tabIndex={0} aria-labelledby={id} data-board={`${board.kind.toLowerCase()}/${board.name}`}>
      <header class="board-head">
        <h2 id={id}><span class="kind">{board.kind}</span> {board.name}</h2>
        <span class="badge">{board.strategy}</span>
        {board.paused ? <span class="badge warn">paused</span> : null}
        <span class="status">{board.status}</span>
        <ActionButtons actions={actions} />
      </header>
      {board.maxSurge !== undefined ? (
        <p class="fence">maxSurge {board.surgeSetting} → <b>{board.maxSurge}</b> · maxUnavailable {board.unavailableSetting} → <b>{board.maxUnavailable}</b> · replicas <b>{board.replicas}</b></p>
      ) : null}
      <ul class="words" data-words>{board.words.map((w) => <li>{w}</li>)}</ul>
      {board.rollout ? <RolloutDetail board={board} /> : null}
      <div class="faders">
        {live.map((f) => <FaderView key={f.uid} f={f} scale={scale} undo={f.isNew ? undefined : undo(f.revision)} />)}
      </div>
      {history.length ? (
        <div class="history">
          <span class="muted">history:</span>
          {history.map((f) => (
            <span class="hist" data-history-revision={f.revision}>
              rev {f.revision} <code>{f.images.join(', ')}</code>
              <button type="button" class="small" onClick={() => { pending.value = undo(f.revision); }}>Undo to {f.revision}</button>
            </span>
          ))}
        </div>
      ) : null}
      {board.conditions.length ? <details><summary>conditions</summary><ul class="small">{board.conditions.map((c) => <li>{c}</li>)}</ul></details> : null}
    </section>
  );
}

function FaderView({ f, scale, undo }: { f: Fader; scale: number; undo?: Action }) {
  const pct = (n: number) => `${Math.min(100, (n / scale) * 100)}%`;
  return (
    <div class={`fader${f.isNew ? ' new' : ' old'}`} data-fader data-revision={f.revision} data-new={String(f.isNew)} data-rs={f.name}>
      <div class="fader-head">
        <b>rev {f.revision}</b> {f.isNew ? <span class="badge new">new</span> : <span class="badge">old</span>}
        {f.tags.map((t) => <span class="badge tag">{t}</span>)}
        <div><code class="image">{f.images.join(', ')}</code></div>
      </div>
      <div class="fader-body">
        <div class="track" role="meter" aria-label={`revision ${f.revision}: ${f.ready} of ${f.desired} ready`} aria-valuemin={0} aria-valuemax={scale} aria-valuenow={f.ready}>
          <div class="fill current" style={{ height: pct(f.current) }} />
          <div class="fill ready" style={{ height: pct(f.ready) }} />
          <div class="knob" style={{ bottom: pct(f.desired) }} title={`desired ${f.desired}`} />
        </div>
        <dl class="counts">
          <dt>desired</dt><dd data-count="desired">{f.desired}</dd>
          <dt>current</dt><dd data-count="current">{f.current}</dd>
          <dt>ready</dt><dd data-count="ready">{f.ready}</dd>
          <dt>available</dt><dd data-count="available">{f.available}</dd>
        </dl>
      </div>
      <Cells pods={f.pods} label={`pods of revision ${f.revision}`} />
      {undo ? <button type="button" class="small" onClick={() => { pending.value = undo; }}>Undo to {f.revision}</button> : null}
    </div>
  );
}

function RolloutDetail({ board }: { board: Board }) {
  const r = board.rollout!;
  return (
    <div class="rollout">
      {r.steps.length ? (
        <ol class="steps" aria-label="steps">
          {r.steps.map((s, i) => <li class={i < r.currentStepIndex ? 'done' : i === r.currentStepIndex ? 'current' : ''} aria-current={i === r.currentStepIndex ? 'step' : undefined}>{s}</li>)}
        </ol>
      ) : null}
      {board.strategy === 'Canary' ? <p class="small">weight: set {r.setWeight}%{r.actualWeight !== undefined ? `, actual ${r.actualWeight}%` : ''}{r.aborted ? ' · aborted' : ''}</p> : null}
      {r.analysis.map((a) => (
        <div class="analysis" data-analysisrun={a.name}>
          <b>{a.name}</b> <span class={`badge p-${a.phase}`}>{a.phase}</span>
          {a.metrics.map((m) => (
            <div class="metric"><span>{m.name}</span> <span class={`badge p-${m.phase}`}>{m.phase}</span>
              <ul class="measurements">{m.measurements.map((x) => <li class={`badge p-${x.phase}`} title={x.at} data-measurement>{x.value || x.phase}</li>)}</ul>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
