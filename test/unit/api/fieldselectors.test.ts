import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseFieldSelector, fieldSelectorToString, parseFieldSelectorParam, matchesFieldSelector, selectableFields,
  requiresExactMatch,
} from '../../../src/api/fieldselectors.ts';
import { StatusError } from '../../../src/api/errors.ts';

test('parse: upstream good/bad strings', () => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b']) assert.equal(fieldSelectorToString(parseFieldSelector(s)), s);
  assert.equal(fieldSelectorToString(parseFieldSelector('x==a')), 'x=a');
  assert.equal(fieldSelectorToString(parseFieldSelector('x=a,a=x')), fieldSelectorToString(parseFieldSelector('a=x,x=a')));
  assert.equal(fieldSelectorToString(parseFieldSelector('x=a\\,b')), 'x=a\\,b');
  assert.equal(parseFieldSelector('x=a\\,b').terms[0].value, 'a,b');
  assert.throws(() => parseFieldSelector('x==a==b'), /unescaped character: =/);
  assert.throws(() => parseFieldSelector('x'), /invalid selector: 'x'; can't understand 'x'/);
  assert.throws(() => parseFieldSelector('x=a\\b'), /invalid escape sequence/);
});

test('per-kind labels and upstream errors (400)', () => {
  const err = (s: string, g: string, k: string) => {
    try { parseFieldSelectorParam(s, g, k); } catch (e) { assert.ok(e instanceof StatusError); assert.equal(e.code, 400); return e.message; }
    return 'ok';
  };
  assert.equal(err('status.phase=Running,spec.nodeName=n1', '', 'Pod'), 'ok');
  assert.equal(err('foo=bar', '', 'Pod'), 'field label not supported: foo');
  assert.equal(err('spec.replicas=1', 'apps', 'Deployment'), '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(err('metadata.name=web', 'apps', 'Deployment'), 'ok');
  assert.equal(err('involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Deployment,involvedObject.uid=u', '', 'Event'), 'ok');
  assert.equal(err('spec.unschedulable=true', '', 'Node'), 'ok');
  assert.equal(err('metadata.namespace=x', '', 'Node'), 'field label not supported: metadata.namespace');
  assert.equal(err('status.phase=Active', '', 'Namespace'), 'ok');
  assert.equal(err('type=Opaque', '', 'Secret'), 'ok');
  assert.equal(err('status.replicas=0', 'apps', 'ReplicaSet'), 'ok');
  assert.equal(err('spec.holderIdentity=x', 'coordination.k8s.io', 'Lease'), '"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(parseFieldSelectorParam('spec.host=n1', '', 'Pod').terms[0].field, 'spec.nodeName');
});

test('matching objects', () => {
  const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', restartPolicy: 'Always' },
    status: { phase: 'Running', podIPs: [{ ip: '10.88.0.5' }] } };
  const m = (s: string) => matchesFieldSelector(parseFieldSelectorParam(s, '', 'Pod'), '', 'Pod', pod);
  assert.ok(m('status.phase=Running'));
  assert.ok(m('status.phase!=Pending,spec.nodeName=n1'));
  assert.ok(!m('status.phase=Pending'));
  assert.ok(m('status.podIP=10.88.0.5'));
  assert.ok(m('metadata.name=p,metadata.namespace=default'));
  assert.ok(m('spec.hostNetwork=false'));
  assert.ok(m('status.nominatedNodeName='));
  assert.ok(m(''));
  const ev = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Deployment', name: 'web' },
    reason: 'ScalingReplicaSet', type: 'Normal', source: {}, reportingComponent: 'deployment-controller' };
  const fs = selectableFields('', 'Event', ev);
  assert.equal(fs['source'], 'deployment-controller');
  assert.equal(fs['involvedObject.kind'], 'Deployment');
  assert.equal(selectableFields('', 'Node', { metadata: { name: 'n' }, spec: {} }, false)['spec.unschedulable'], 'false');
  assert.equal(selectableFields('apps', 'ReplicaSet', { metadata: { name: 'r' }, status: { replicas: 3 } })['status.replicas'], '3');
  assert.equal(requiresExactMatch(parseFieldSelector('metadata.name=web'), 'metadata.name'), 'web');
  assert.equal(requiresExactMatch(parseFieldSelector('metadata.name!=web'), 'metadata.name'), undefined);
});
