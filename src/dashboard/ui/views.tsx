/** Services (which pods each selects right now), Events (a live stream) and Nodes (conditions and pods). */
import { useMemo } from 'preact/hooks';
import { K } from './api.ts';
import { useInformer } from './informer.ts';
import { Problems } from './problems.tsx';
import { eventView, nodeView, serviceView, type Obj } from '../model.ts';
import { Cells } from './cells.tsx';

const byName = (a: Obj, b: Obj) => String(a.metadata?.name).localeCompare(String(b.metadata?.name));

export function Services({ namespace }: { namespace: string }) {
  const svcs = useInformer(K.services, namespace);
  const pods = useInformer(K.pods, namespace);
  const list = [...svcs.items.value.values()].sort(byName);
  const podList = [...pods.items.value.values()];
  return (
    <div class="grid">
      <Problems infs={[svcs, pods]} />
      {svcs.synced.value && !list.length ? <p class="muted">No Services in namespace {namespace}.</p> : null}
      {list.map((s) => {
        const v = serviceView(s, podList);
        return (
          <section class="card" tabIndex={0} data-service={v.name} aria-label={`service ${v.name}`}>
            <h2><span class="kind">Service</span> {v.name}</h2>
            <p class="small">{v.type} {v.clusterIP} · {v.ports || 'no ports'}</p>
            <p class="small">selector: <code data-selector>{v.selector || '(none: its endpoints are set by hand, not from pods)'}</code></p>
            <p class="small"><b data-selected-count>{v.pods.length}</b> pods selected, {v.pods.filter((p) => p.ready).length} ready</p>
            <Cells pods={v.pods} full label={`pods selected by ${v.name}`} />
          </section>
        );
      })}
    </div>
  );
}

const MAX_EVENTS = 300;

export function Events({ namespace }: { namespace: string }) {
  const evs = useInformer(K.events, namespace);
  const items = evs.items.value;
  const list = useMemo(() => [...items.values()].map(eventView).sort((a, b) => b.time.localeCompare(a.time)).slice(0, MAX_EVENTS), [items]);
  return (
    <div>
      <Problems infs={[evs]} />
      {evs.synced.value && !list.length ? <p class="muted">No events in namespace {namespace}.</p> : null}
      <table class="events" aria-label="events, newest first">
        <thead><tr><th>time</th><th>type</th><th>reason</th><th>object</th><th>message</th><th>source</th><th>count</th></tr></thead>
        <tbody aria-live="polite">
          {list.map((e) => (
            <tr key={e.key} class={e.type === 'Warning' ? 'warn' : ''} data-event-reason={e.reason}>
              <td class="nowrap">{e.time.replace('T', ' ').replace('Z', '')}</td><td>{e.type}</td><td>{e.reason}</td>
              <td class="nowrap">{e.object}</td><td>{e.message}</td><td>{e.source}</td><td>{e.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Nodes() {
  const nodes = useInformer(K.nodes, '');
  const pods = useInformer(K.pods, '');
  const list = [...nodes.items.value.values()].sort(byName);
  const podList = [...pods.items.value.values()];
  return (
    <div class="grid">
      <Problems infs={[nodes, pods]} />
      {nodes.synced.value && !list.length ? <p class="muted">No nodes.</p> : null}
      {list.map((n) => {
        const v = nodeView(n, podList);
        return (
          <section class="card" tabIndex={0} data-node={v.name} aria-label={`node ${v.name}`}>
            <h2><span class="kind">Node</span> {v.name} <span class={`badge ${v.ready === 'True' ? 'ok' : 'bad'}`}>{v.ready === 'True' ? 'Ready' : 'NotReady'}</span>
              {v.unschedulable ? <span class="badge warn">SchedulingDisabled</span> : null}</h2>
            <ul class="conds">{v.conditions.map((c) => <li class={`badge ${c.bad ? 'bad' : 'ok'}`} title={c.message}>{c.type}={c.status}</li>)}</ul>
            {v.taints.length ? <p class="small">taints: {v.taints.join(', ')}</p> : null}
            <p class="small">{v.pods.length} pods</p>
            <Cells pods={v.pods} full hideNode label={`pods on ${v.name}`} />
          </section>
        );
      })}
    </div>
  );
}
