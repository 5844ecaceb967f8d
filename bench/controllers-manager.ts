/**
 * Child process of bench/controllers.ts: runs the controller manager alone (so its CPU time is its own) and
 * answers IPC requests: {cmd:'cpu'} → process.cpuUsage(), {cmd:'leader'} → isLeader, {cmd:'stop'} → stop, exit.
 *   node --import tsx bench/controllers-manager.ts <kubeconfig> <identity>
 */
import { KubeClient } from '../src/client/client.ts';
import { startControllerManager } from '../src/controllers/manager.ts';

const [kubeconfig, identity] = process.argv.slice(2);
const client = KubeClient.fromKubeconfig(kubeconfig);
const m = await startControllerManager({ client, identity, log: () => {} });
process.on('message', async (msg: any) => {
  if (msg.cmd === 'cpu') process.send!({ cpu: process.cpuUsage() });
  else if (msg.cmd === 'leader') process.send!({ leader: m.isLeader() });
  else if (msg.cmd === 'stop') { await m.stop(); client.close(); process.send!({ stopped: true }); process.exit(0); }
});
process.send!({ started: true });
