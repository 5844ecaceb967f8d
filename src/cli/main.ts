/**
 * `kubelite` command line. Subcommands live in their own files:
 *   up      (src/cli/up.ts)     — set up the host, start a one-node cluster in the foreground
 *   down    (src/cli/down.ts)   — stop what `up` started (--purge also removes data, images, devices, rules)
 *   setup   (src/node-setup)    — host prerequisites only (packages, registry, images, containerd); idempotent
 *   node    (src/cli/node.ts)   — a node agent (kubelet + proxy) alone, joining an existing cluster
 *   rollouts (src/cli/rollouts.ts) — the verbs of Argo Rollouts' kubectl plugin: get, promote, abort, ...
 *   user    (src/cli/user.ts)   — `user add NAME --group G`: a client certificate from the cluster CA in a kubeconfig
 *   dashboard (src/cli/dashboard.ts) — print the web dashboard's address and a sign-in link
 */
import { Command } from 'commander';

const program = new Command();
program.enablePositionalOptions().name('kubelite').description('A Kubernetes-compatible orchestrator: the real kubectl, real containers').version('0.1.0');

program.command('up')
  .description('set up the host and start a one-node cluster (foreground)')
  .option('--data-dir <dir>', 'data directory', `${process.env.HOME ?? '/root'}/.kubelite`)
  .option('--api-port <port>', 'API server port', '6443')
  .option('--bind-address <addr>', 'API server listen address', '127.0.0.1')
  .option('--store <kind>', 'storage backend: sqlite | etcd', 'sqlite')
  .option('--etcd-endpoints <urls>', 'comma-separated etcd endpoints (with --store etcd)', 'http://127.0.0.1:2379')
  .option('--no-merge-kubeconfig', 'do not merge the kubeconfig into ~/.kube/config')
  .option('--no-node', 'start only the control plane (API server, controllers, scheduler), no node agent')
  .option('--node-name <name>', 'name of the local node', 'kubelite')
  .option('--node-monitor-grace-period <duration>', 'how long a node may miss Lease renewals before it is NotReady (upstream 40s)')
  .option('--node-monitor-period <duration>', 'how often the node lifecycle controller checks nodes (upstream 5s)')
  .option('--default-toleration-seconds <seconds>', 'default not-ready/unreachable NoExecute toleration added to pods (upstream 300)')
  .option('--prometheus-address <url>', 'your Prometheus, for AnalysisTemplates\' prometheus metrics that give no address (default $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS; none: kubelite starts Debian\'s prometheus on demand)')
  .option('--metric-resolution <duration>', 'how often the API server scrapes resource metrics from the node agents (metrics-server 15s)')
  .option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HorizontalPodAutoscaler is reconciled (upstream 15s)')
  .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'scale-down stabilization window of HPAs that set none (upstream 5m)')
  .action(async (opts) => {
    const { clusterConfig } = await import('./config.ts');
    const config = clusterConfig(opts, process.env);
    if ('error' in config) { console.error(`kubelite up: ${config.error}`); process.exit(1); }
    const { up } = await import('./up.ts'); await up({ ...opts, config });
  });

program.command('down')
  .description('stop everything `kubelite up` started')
  .option('--data-dir <dir>', 'data directory', `${process.env.HOME ?? '/root'}/.kubelite`)
  .option('--purge', 'also remove the data dir, images, network devices and rules kubelite created')
  .action(async (opts) => { const { down } = await import('./down.ts'); await down(opts); });

program.command('setup')
  .description('install and start host prerequisites: packages, local registry, offline images, containerd')
  .action(async () => {
    const { setupHost, SetupError } = await import('../node-setup/setup.ts');
    try { await setupHost({ log: console.log }); } catch (e) {
      if (!(e instanceof SetupError)) throw e;
      console.error(`kubelite setup: ${e.message}`);
      process.exit(1);
    }
  });

const nodeCmd = program.command('node').enablePositionalOptions()
  .description('run a node agent (kubelet and service proxy) that joins a cluster, with the credentials `kubelite node credentials` wrote')
  .option('--credentials <dir>', 'directory with the node\'s credentials (kubelet.kubeconfig, kubelet.crt/.key, proxy.kubeconfig)')
  .option('--server <url>', 'API server URL (default: the one in the credentials)')
  .option('--name <name>', 'node name (default: the one the credentials name)')
  .option('--pod-cidr <cidr>', 'pod subnet for this node')
  .option('--data-dir <dir>', 'node data directory')
  .action(async (opts) => {
    if (!opts.credentials) { console.error('kubelite node: --credentials DIR is required (write them on the control-plane machine with `kubelite node credentials NAME`)'); process.exit(1); }
    const { nodeConfigFromEnv } = await import('./config.ts');
    const { node } = await import('./node.ts'); await node({ ...opts, config: nodeConfigFromEnv(process.env) });
  });
nodeCmd.command('credentials')
  .description('issue a node\'s own credentials from the cluster CA (system:node:NAME client certificate, serving certificate, kube-proxy identity)')
  .argument('<name>', 'node name')
  .option('--data-dir <dir>', 'the cluster\'s data dir (its CA signs them)', `${process.env.HOME ?? '/root'}/.kubelite`)
  .option('--out <dir>', 'output directory (default ./kubelite-node-NAME)')
  .option('--address <ip...>', 'the node\'s IP(s), named by its serving certificate (default: this machine\'s)')
  .option('--server <url>', 'API server URL for the node (default: the cluster kubeconfig\'s)')
  .action(async (name, opts) => {
    const { nodeCredentials } = await import('./node.ts'); await nodeCredentials(name, opts);
  });

const user = program.command('user').description('manage users of the cluster (client certificates signed by the cluster CA)');
user.command('add')
  .description('create a user: a client certificate (CN=NAME, O=each group) in a kubeconfig; prints its path')
  .argument('<name>', 'user name')
  .option('--group <group>', 'a group of the user (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--out <file>', 'where to write the kubeconfig (default <data-dir>/users/NAME.kubeconfig)')
  .option('--data-dir <dir>', 'data directory of the cluster', `${process.env.HOME ?? '/root'}/.kubelite`)
  .action(async (name: string, opts) => {
    const { userAdd } = await import('./user.ts');
    try { console.log(userAdd({ name, groups: opts.group, out: opts.out, dataDir: opts.dataDir })); } catch (e) {
      console.error(`kubelite user add: ${(e as Error).message}`);
      process.exit(1);
    }
  });

program.command('rollouts')
  .description("manage Rollouts as Argo's kubectl plugin does: get rollout NAME [-w] | list rollouts | promote NAME [--full] | abort | retry rollout | pause | resume | restart [--in 30s] | undo [--to-revision N] | set image NAME c=img | status | terminate analysisrun NAME")
  .argument('<words...>', 'verb and arguments')
  .option('-n, --namespace <ns>', 'namespace', 'default')
  .option('--kubeconfig <file>', 'kubeconfig (default $KUBECONFIG or ~/.kube/config)')
  .option('--context <name>', 'kubeconfig context')
  .option('-w, --watch', 'get: keep the tree updated as things change')
  .option('--full', 'promote: skip the remaining steps and analysis')
  .option('--in <duration>', 'restart: restart this long from now')
  .option('--to-revision <n>', 'undo: the revision to go back to (default: the previous one)')
  .option('--timeout <duration>', 'status / get --watch: give up after this long')
  .action(async (words: string[], opts) => {
    const { runRolloutsCommand } = await import('./rollouts.ts');
    process.exitCode = await runRolloutsCommand(words, opts, { kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace });
  });

program.command('dashboard')
  .description("print the web dashboard's address (served by the API server under /dashboard/) and a sign-in link")
  .option('--data-dir <dir>', 'data directory of `kubelite up`', `${process.env.HOME ?? '/root'}/.kubelite`)
  .option('--kubeconfig <file>', 'kubeconfig whose server and token to use (default <data-dir>/kubeconfig, the admin\'s)')
  .option('--context <name>', 'kubeconfig context')
  .option('--token <token>', 'sign in with this bearer token instead of the kubeconfig user\'s')
  .action(async (opts) => {
    const { dashboardCommand } = await import('./dashboard.ts');
    process.exitCode = dashboardCommand({ dataDir: opts.dataDir, kubeconfig: opts.kubeconfig, context: opts.context, token: opts.token });
  });

await program.parseAsync(process.argv);
