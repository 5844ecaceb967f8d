import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cniConflist, containerdConfig, containerdInstance } from '../../../src/node-setup/containerd.ts';
import { RECIPES, pushRefs, recipeHash } from '../../../src/node-setup/images.ts';

test('containerd config carries the CRI settings these machines need', () => {
  const toml = containerdConfig(containerdInstance('default'));
  assert.match(toml, /^version = 2$/m);
  assert.match(toml, /sandbox_image = "127\.0\.0\.1:5000\/kubelite\/pause:3\.9"/);
  assert.match(toml, /restrict_oom_score_adj = true/);
  assert.match(toml, /SystemdCgroup = false/);
  assert.match(toml, /bin_dir = "\/usr\/lib\/cni"/);
  assert.match(toml, /config_path = ".*\/registry\/hosts\.d"/);
  assert.match(toml, /address = "\/run\/containerd\/containerd\.sock"/);
});

test('each node instance has its own socket, root, bridge and subnet', () => {
  const a = containerdInstance('default');
  const b = containerdInstance('node-b', '10.150.0.0/16');
  assert.notEqual(a.socket, b.socket);
  assert.notEqual(a.root, b.root);
  assert.notEqual(a.bridge, b.bridge);
  assert.ok(b.bridge.length <= 15, 'interface names are at most 15 characters');
  const conf = JSON.parse(cniConflist(b));
  const bridge = conf.plugins[0];
  assert.equal(bridge.type, 'bridge');
  assert.equal(bridge.bridge, b.bridge);
  assert.equal(bridge.hairpinMode, true);
  assert.equal(bridge.ipam.type, 'host-local');
  assert.deepEqual(bridge.ipam.ranges, [[{ subnet: '10.150.0.0/16' }]]);
  assert.match(containerdConfig(b), /stream_server_port = "0"/);
});

test('image recipes: nginx/httpd resolve through the docker.io mirror, cache keys change with the recipe', () => {
  const repos = RECIPES.map((r) => r.repo);
  assert.ok(repos.includes('library/nginx') && repos.includes('library/httpd') && repos.includes('kubelite/pause') && repos.includes('kubelite/busybox'));
  const nginx = RECIPES.find((r) => r.repo === 'library/nginx')!;
  assert.ok(nginx.tags.includes('latest'));
  assert.deepEqual(nginx.config.Cmd, ['nginx', '-g', 'daemon off;']);
  const h = recipeHash(nginx);
  assert.equal(h, recipeHash({ ...nginx }));
  assert.notEqual(h, recipeHash({ ...nginx, recipe: nginx.recipe + ' changed' }));
});

test('the pod bridge gateway is the first address of the pod subnet', async () => {
  const { podGateway } = await import('../../../src/node-setup/containerd.ts');
  assert.deepEqual(podGateway(containerdInstance('default')), { ip: '10.88.0.1', prefix: 16 });
  assert.deepEqual(podGateway(containerdInstance('n2', '10.150.0.0/16')), { ip: '10.150.0.1', prefix: 16 });
  assert.deepEqual(podGateway(containerdInstance('n3', '192.168.7.0/24')), { ip: '192.168.7.1', prefix: 24 });
});

test('busybox is also served as docker.io/library/busybox (plain `busybox`), from the same build', () => {
  const bb = RECIPES.find((r) => r.repo === 'kubelite/busybox')!;
  assert.deepEqual(pushRefs(bb), [['kubelite/busybox', 'latest'], ['kubelite/busybox', '1.35'], ['library/busybox', 'latest'], ['library/busybox', '1.35']]);
  // An alias is where the image is pushed, not what is built: the cached build stays valid.
  assert.equal(recipeHash(bb), recipeHash({ ...bb, aliases: undefined }));
  const nginx = RECIPES.find((r) => r.repo === 'library/nginx')!;
  assert.deepEqual(pushRefs(nginx).map(([repo]) => repo).filter((x, i, a) => a.indexOf(x) === i), ['library/nginx']);
});
