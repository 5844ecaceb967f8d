/**
 * e2e: CustomResourceDefinitions with the real kubectl against `kubelite up` — a CRD with printer columns, a status
 * subresource and a short name is applied and established; a custom resource is applied (defaulted), listed with
 * its columns, watched, explained from the published schema, selected by a field, its status patched through
 * /status; an invalid one is rejected with every field error; a non-structural CRD is refused (422); deleting the
 * CRD removes its objects and the resource type.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor, type Cluster } from './harness.ts';

let c: Cluster;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    selectableFields:
    - jsonPath: .spec.size
    additionalPrinterColumns:
    - name: Spec
      type: string
      description: The cron spec defining the interval a CronJob is run
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: CronTab runs an image on a schedule.
        properties:
          spec:
            type: object
            description: What the CronTab runs, and when.
            required: [cronSpec, image]
            properties:
              cronSpec:
                type: string
                description: The schedule, in cron format.
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
                description: The image to run.
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
              size:
                type: string
                enum: [S, M, L]
          status:
            type: object
            properties:
              replicas:
                type: integer
`;

const cronTab = (name: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec });

before(async () => { c = await startCluster(); }, { timeout: 120_000 });
after(async () => { if (c) await c.stop(); });

test('a CRD is applied and established; `kubectl get crd` lists it', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { input: CRD });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /customresourcedefinition\.apiextensions\.k8s\.io\/crontabs\.stable\.example\.com created/);
  const w = await c.kubectl(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=30s']);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /condition met/);
  const l = await c.kubectl(['get', 'crd']);
  assert.match(l.stdout, /^NAME\s+CREATED AT\ncrontabs\.stable\.example\.com\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/);
});

test('a custom resource is applied (defaulted), listed with its printer columns, selected by a field and patched through /status', async () => {
  const a = await c.kubectl(['apply', '-f', '-'], { input: cronTab('nightly', { cronSpec: '0 3 * * *', image: 'backup:1', size: 'M' }) });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /crontab\.stable\.example\.com\/nightly created/);
  const g = await c.kubectl(['get', 'crontabs']);
  assert.equal(g.code, 0, g.stderr);
  assert.match(g.stdout, /^NAME\s+SPEC\s+REPLICAS\s+AGE\nnightly\s+0 3 \* \* \*\s+1\s+\d+s\n$/);
  const short = await c.kubectl(['get', 'ct', 'nightly', '-o', 'jsonpath={.spec.replicas}']);
  assert.equal(short.stdout, '1', 'defaulted from the schema');
  await c.kubectl(['apply', '-f', '-'], { input: cronTab('hourly', { cronSpec: '0 * * * *', image: 'report:2', size: 'S', replicas: 3 }) });
  const sel = await c.kubectl(['get', 'crontabs', '--field-selector', 'spec.size=S', '-o', 'name']);
  assert.equal(sel.stdout.trim(), 'crontab.stable.example.com/hourly');
  const p = await c.kubectl(['patch', 'crontab', 'hourly', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3}}']);
  assert.equal(p.code, 0, p.stderr);
  const st = await c.kubectl(['get', 'crontab', 'hourly', '-o', 'jsonpath={.status.replicas}']);
  assert.equal(st.stdout, '3');
  const ignored = await c.kubectl(['patch', 'crontab', 'hourly', '--type=merge', '-p', '{"status":{"replicas":9}}']);
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.equal((await c.kubectl(['get', 'crontab', 'hourly', '-o', 'jsonpath={.status.replicas}'])).stdout, '3', 'the main resource ignores status');
});

test('kubectl get -w streams a custom resource as it is created', async () => {
  const watching = c.kubectl(['get', 'crontabs', '-w'], { timeoutMs: 8000 });
  await new Promise((r) => setTimeout(r, 2500));
  await c.kubectl(['apply', '-f', '-'], { input: cronTab('weekly', { cronSpec: '0 0 * * 0', image: 'weekly:1' }) });
  const out = await watching;
  assert.match(out.stdout, /^NAME\s+SPEC\s+REPLICAS\s+AGE\n/);
  assert.match(out.stdout, /\nweekly\s+0 0 \* \* 0\s+1\s+\d+s/);
});

test('kubectl explain reads the CRD\'s published schema', async () => {
  const e = await c.kubectl(['explain', 'crontab.spec']);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /GROUP:\s+stable\.example\.com/);
  assert.match(e.stdout, /KIND:\s+CronTab/);
  assert.match(e.stdout, /VERSION:\s+v1/);
  assert.match(e.stdout, /What the CronTab runs, and when\./);
  assert.match(e.stdout, /cronSpec\s+<string> -required-\n\s+The schedule, in cron format\./);
  assert.match(e.stdout, /size\s+<string>\n\s+enum: L, M, S/);
  const top = await c.kubectl(['explain', 'crontabs']);
  assert.match(top.stdout, /CronTab runs an image on a schedule\./);
});

test('an invalid custom resource is rejected with every field error', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { input: cronTab('bad', { cronSpec: 'whenever', replicas: 20, size: 'XL' }) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The CronTab "bad" is invalid: /);
  for (const m of [
    'spec.cronSpec: Invalid value: "whenever": spec.cronSpec in body should match',
    'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    'spec.size: Unsupported value: "XL": supported values: "S", "M", "L"',
    'spec.image: Required value',
  ]) assert.ok(r.stderr.includes(m), `${m}\nin: ${r.stderr}`);
  const unknown = await c.kubectl(['apply', '-f', '-'], { input: cronTab('typo', { cronSpec: '* * * * *', image: 'x', replicaz: 2 }) });
  assert.notEqual(unknown.code, 0, 'kubectl validates strictly by default');
  assert.match(unknown.stderr, /unknown field "spec\.replicaz"/);
});

test('a CRD with a non-structural schema is refused (422), in upstream\'s words', async () => {
  const bad = CRD.replace(/crontabs/g, 'widgets').replace(/CronTab/g, 'Widget').replace('shortNames: [ct]', 'shortNames: [wd]')
    .replace('          spec:\n            type: object\n', '          spec:\n');
  const r = await c.kubectl(['apply', '-f', '-'], { input: bad });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The CustomResourceDefinition "widgets\.stable\.example\.com" is invalid: spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
});

test('deleting the CRD removes its objects and the resource type', async () => {
  const d = await c.kubectl(['delete', 'crd', 'crontabs.stable.example.com', '--timeout=60s']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /customresourcedefinition\.apiextensions\.k8s\.io "crontabs\.stable\.example\.com" deleted/);
  // (kubectl's discovery cache may still name the type: the list itself then finds no such resource.)
  await waitFor(async () => {
    const g = await c.kubectl(['get', 'crontabs']);
    return g.code !== 0 && /the server doesn't have a resource type "crontabs"|Unable to list "stable\.example\.com\/v1, Resource=crontabs": the server could not find the requested resource/.test(g.stderr);
  }, { timeoutMs: 30_000, intervalMs: 1000, message: 'the crontabs type gone' });
  const fresh = await c.kubectl(['api-resources', '--api-group=stable.example.com']);
  assert.doesNotMatch(fresh.stdout, /crontabs/);
  const gone = await c.kubectl(['get', '--raw', '/apis/stable.example.com/v1']);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /NotFound|could not find the requested resource/);
  const keys = await c.client.request<any>('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
  assert.equal(keys.items.length, 0);
});
