/**
 * RBAC rule matching, coverage (escalation check), compaction and the request attributes, with table cases ported
 * from upstream (plugin/pkg/auth/authorizer/rbac/rbac_test.go TestAuthorizer/TestRuleMatches,
 * component-helpers/auth/rbac/validation policy_comparator_test.go, pkg/registry/rbac/validation
 * policy_compact_test.go, k8s.io/apiserver request_info_test.go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakdownRule, compactRules, compactString, covers, ruleAllows, type PolicyRule } from '../../../src/apiserver/authz/rules.ts';
import { requestAttributes, forbiddenMessage } from '../../../src/apiserver/authz/request.ts';
import type { Attributes } from '../../../src/apiserver/authz/types.ts';
import { aggregatedRules } from '../../../src/controllers/clusterroleaggregation/controller.ts';

const user = { name: 'u', groups: [] };
const res = (verb: string, apiGroup: string, resource: string, subresource = '', name = ''): Attributes =>
  ({ user, verb, resourceRequest: true, path: '', apiGroup, apiVersion: 'v1', resource, subresource, namespace: 'ns', name });
const nonRes = (verb: string, path: string): Attributes =>
  ({ user, verb, resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' });
const rule = (verbs: string, groups: string, resources: string, names?: string): PolicyRule => ({
  verbs: verbs.split(','), apiGroups: groups.split(','), resources: resources.split(','), ...(names ? { resourceNames: names.split(',') } : {}),
});
const urls = (verbs: string, u: string): PolicyRule => ({ verbs: verbs.split(','), nonResourceURLs: u.split(',') });

test('RuleMatches (upstream table): stars, tuple expansion, subresources, names, non-resource prefixes', () => {
  const cases: [string, PolicyRule, [Attributes, boolean][]][] = [
    ['star verb', rule('*', 'group1', 'resource1'), [
      [res('verb1', 'group1', 'resource1'), true], [res('verb1', 'group2', 'resource1'), false], [res('verb1', 'group1', 'resource2'), false], [res('verb2', 'group1', 'resource1'), true]]],
    ['star group', rule('verb1', '*', 'resource1'), [
      [res('verb1', 'group1', 'resource1'), true], [res('verb1', 'group2', 'resource1'), true], [res('verb1', 'group1', 'resource2'), false], [res('verb2', 'group1', 'resource1'), false]]],
    ['star resource', rule('verb1', 'group1', '*'), [
      [res('verb1', 'group1', 'resource1'), true], [res('verb1', 'group1', 'resource2'), true], [res('verb1', 'group2', 'resource1'), false], [res('verb1', 'group1', 'resource1', 'sub'), true]]],
    ['tuple expansion', rule('verb1,verb2', 'group1,group2', 'resource1,resource2'), [
      [res('verb1', 'group1', 'resource1'), true], [res('verb2', 'group2', 'resource2'), true], [res('verb2', 'group1', 'resource2'), true]]],
    ['subresource', rule('*', '*', 'resource1/subresource1'), [
      [res('verb1', 'group1', 'resource1', 'subresource1'), true], [res('verb1', 'group2', 'resource1', 'subresource2'), false],
      [res('verb1', 'group1', 'resource2', 'subresource1'), false], [res('verb1', 'group1', 'resource1'), false]]],
    ['star subresource', rule('*', '*', '*/scale'), [
      [res('get', 'apps', 'deployments', 'scale'), true], [res('get', 'argoproj.io', 'rollouts', 'scale'), true], [res('get', 'apps', 'deployments'), false], [res('get', 'apps', 'deployments', 'status'), false]]],
    ['pods does not match pods/status', rule('*', '*', 'pods'), [[res('get', '', 'pods'), true], [res('get', '', 'pods', 'status'), false]]],
    ['resource names', rule('get', '', 'configmaps', 'a,b'), [
      [res('get', '', 'configmaps', '', 'a'), true], [res('get', '', 'configmaps', '', 'c'), false], [res('get', '', 'configmaps'), false]]],
    ['star nonresource', urls('verb1', '*'), [[nonRes('verb1', '/foo'), true], [nonRes('verb1', '/foo/bar/one'), true], [nonRes('verb2', '/foo'), false]]],
    ['nonresource subpath', urls('verb1', '/foo/*'), [
      [nonRes('verb1', '/foo'), false], [nonRes('verb1', '/foo/bar'), true], [nonRes('verb1', '/foo/bar/one'), true], [nonRes('verb1', '/fooo'), false]]],
    ['nonresource exact', urls('get', '/apis'), [[nonRes('get', '/apis'), true], [nonRes('get', '/apis/v1'), false], [nonRes('watch', '/apis'), false]]],
    ['resource rule never matches a path', rule('*', '*', '*'), [[nonRes('get', '/healthz'), false]]],
  ];
  for (const [name, r, reqs] of cases) for (const [a, want] of reqs) assert.equal(ruleAllows(a, r), want, `${name}: ${JSON.stringify(a)}`);
});

test('Covers (upstream policy_comparator cases): owner rules must hold every broken-down permission', () => {
  const cases: [string, PolicyRule[], PolicyRule[], boolean, PolicyRule[]][] = [
    ['exact match', [rule('get', 'v1', 'builds')], [rule('get', 'v1', 'builds')], true, []],
    ['single resource, missing verb', [rule('get', 'v1', 'builds')], [rule('get,delete', 'v1', 'builds')], false, [rule('delete', 'v1', 'builds')]],
    ['multiple resources, one missing', [rule('get', 'v1', 'builds')], [rule('get', 'v1', 'builds,pods')], false, [rule('get', 'v1', 'pods')]],
    ['star verb covers', [rule('*', 'v1', 'builds')], [rule('get,delete', 'v1', 'builds')], true, []],
    ['star group covers', [rule('get', '*', 'builds')], [rule('get', 'v1,v2', 'builds')], true, []],
    ['star resource covers', [rule('get', 'v1', '*')], [rule('get', 'v1', 'builds,pods/log')], true, []],
    ['star subresource', [rule('get', 'v1', '*/log')], [rule('get', 'v1', 'pods/log,builds/log')], true, []],
    ['star subresource does not cover the resource', [rule('get', 'v1', '*/log')], [rule('get', 'v1', 'pods')], false, [rule('get', 'v1', 'pods')]],
    ['resource names: owner unrestricted', [rule('get', 'v1', 'builds')], [rule('get', 'v1', 'builds', 'a')], true, []],
    ['resource names: owner restricted to others', [rule('get', 'v1', 'builds', 'a')], [rule('get', 'v1', 'builds', 'a,b')], false, [rule('get', 'v1', 'builds', 'b')]],
    ['resource names: restricted owner does not cover all names', [rule('get', 'v1', 'builds', 'a')], [rule('get', 'v1', 'builds')], false, [rule('get', 'v1', 'builds')]],
    ['non-resource prefix', [urls('get', '/apis/*')], [urls('get', '/apis/v1,/apis')], false, [urls('get', '/apis')]],
    ['non-resource star', [urls('*', '*')], [urls('get,post', '/foo,/bar/baz')], true, []],
  ];
  for (const [name, owner, servant, want, missing] of cases) {
    const r = covers(owner, servant);
    assert.equal(r.covered, want, name);
    assert.deepEqual(r.missing, missing, name);
  }
});

test('BreakdownRule and CompactRules; CompactString as upstream prints it', () => {
  assert.deepEqual(breakdownRule(rule('get,list', 'apps', 'deployments', 'a')), [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: ['a'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'], resourceNames: ['a'] },
  ]);
  const compact = compactRules([rule('get', '', 'pods'), rule('list', '', 'pods'), rule('get', '', 'pods', 'x'), rule('watch,get', '', 'pods'),
    rule('get', '', 'pods,secrets'), rule('list', '', 'pods', 'x'), rule('get', '', 'pods', 'x,y'), urls('get', '/x')]);
  // Upstream keeps complex rules first, then the merged simple ones; verbs are appended without de-duplication.
  assert.deepEqual(compact, [rule('get', '', 'pods,secrets'), rule('get', '', 'pods', 'x,y'), urls('get', '/x'), rule('get,list,watch,get', '', 'pods'), rule('get,list', '', 'pods', 'x')]);
  assert.equal(compactString(rule('get,list', '', 'secrets')), '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
  assert.equal(compactString(rule('get', 'apps', 'deployments', 'web')), '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]}');
  assert.equal(compactString(urls('get', '/healthz')), '{NonResourceURLs:["/healthz"], Verbs:["get"]}');
});

test('request attributes as upstream RequestInfo reads them: verbs, watch, subresources, namespaces, non-resource paths', () => {
  const q = (s = '') => new URLSearchParams(s);
  const pick = (a: Attributes) => ({ verb: a.verb, resourceRequest: a.resourceRequest, apiGroup: a.apiGroup, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name });
  const cases: [string, string, string, Partial<Attributes>][] = [
    ['GET', '/api/v1/namespaces/default/pods', '', { verb: 'list', resource: 'pods', namespace: 'default', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=true', { verb: 'watch' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=1', { verb: 'watch' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=false', { verb: 'list' }],
    ['GET', '/api/v1/namespaces/default/pods', 'fieldSelector=metadata.name%3Dweb&watch=true', { verb: 'watch', name: 'web' }],
    ['GET', '/api/v1/watch/namespaces/default/pods/web', '', { verb: 'watch', name: 'web', resource: 'pods' }],
    ['GET', '/api/v1/pods', '', { verb: 'list', namespace: '' }],
    ['GET', '/api/v1/namespaces/default/pods/web', '', { verb: 'get', name: 'web' }],
    ['GET', '/api/v1/namespaces/default/pods/web/log', '', { verb: 'get', subresource: 'log' }],
    ['POST', '/api/v1/namespaces/default/pods/web/exec', '', { verb: 'create', subresource: 'exec' }],
    ['DELETE', '/api/v1/namespaces/default/pods', '', { verb: 'deletecollection' }],
    ['DELETE', '/api/v1/namespaces/default/pods/web', '', { verb: 'delete', name: 'web' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/web/scale', '', { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns' }],
    ['PUT', '/api/v1/namespaces/ns', '', { verb: 'update', resource: 'namespaces', name: 'ns', namespace: 'ns' }],
    ['PUT', '/api/v1/namespaces/ns/finalize', '', { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'finalize', namespace: 'ns' }],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces', namespace: '' }],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '', { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }],
    ['GET', '/apis/apps/v1', '', { verb: 'get', resourceRequest: false }],
    ['GET', '/api', '', { verb: 'get', resourceRequest: false }],
    ['POST', '/healthz', '', { verb: 'post', resourceRequest: false }],
  ];
  for (const [method, path, query, want] of cases) {
    const got = pick(requestAttributes(user, method, path, q(query)));
    for (const [k, v] of Object.entries(want)) assert.equal((got as any)[k], v, `${method} ${path}?${query}: ${k}`);
  }
  assert.equal(forbiddenMessage(requestAttributes({ name: 'alice', groups: [] }, 'POST', '/api/v1/namespaces/d/pods/p/exec', q())),
    'User "alice" cannot create resource "pods/exec" in API group "" in the namespace "d"');
});

test('ClusterRole aggregation: union of matching roles sorted by name, duplicates dropped, itself excluded', () => {
  const sel = { clusterRoleSelectors: [{ matchLabels: { agg: 'x' } }] };
  const all = [
    { metadata: { name: 'target', labels: { agg: 'x' } }, aggregationRule: sel, rules: [rule('old', '', 'x')] },
    { metadata: { name: 'b', labels: { agg: 'x' } }, rules: [rule('get', '', 'pods'), rule('list', '', 'pods')] },
    { metadata: { name: 'a', labels: { agg: 'x' } }, rules: [rule('list', '', 'pods')] },
    { metadata: { name: 'c', labels: { agg: 'y' } }, rules: [rule('delete', '', 'pods')] },
  ];
  assert.deepEqual(aggregatedRules(all[0], all), [rule('list', '', 'pods'), rule('get', '', 'pods')]);
});
