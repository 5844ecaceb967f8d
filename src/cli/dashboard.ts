/**
 * `kubelite dashboard`: print the dashboard's address and a sign-in link. The link carries the token in the URL
 * fragment (`#token=...`), which browsers never send to the server, so it stays out of server logs; the page moves
 * it to sessionStorage and clears it from the address bar and history. The token is the kubeconfig user's (by
 * default the admin kubeconfig `kubelite up` wrote to <data-dir>/kubeconfig), or --token.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readKubeconfig } from '../client/client.ts';
import { DASHBOARD_PATH } from '../dashboard/serve.ts';

export interface DashboardLinks { url: string; login?: string }

/** The dashboard's address on an API server and the sign-in link for a token. */
export function dashboardLinks(server: string, token?: string): DashboardLinks {
  const url = new URL(DASHBOARD_PATH, server.endsWith('/') ? server : `${server}/`).toString();
  return { url, login: token ? `${url}#token=${encodeURIComponent(token)}` : undefined };
}

export interface DashboardCommandOptions { dataDir: string; kubeconfig?: string; context?: string; token?: string; out?: (s: string) => void }

export function dashboardCommand(o: DashboardCommandOptions): number {
  const out = o.out ?? ((s: string) => process.stdout.write(s));
  const path = o.kubeconfig ?? join(o.dataDir, 'kubeconfig');
  if (!existsSync(path)) {
    process.stderr.write(`kubelite dashboard: no kubeconfig at ${path} (start the cluster with \`kubelite up\`, or pass --kubeconfig)\n`);
    return 1;
  }
  let cfg;
  try { cfg = readKubeconfig(path, o.context); } catch (e) {
    process.stderr.write(`kubelite dashboard: cannot read ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  const token = o.token ?? cfg.token;
  const links = dashboardLinks(cfg.server, token);
  out(`Dashboard: ${links.url}\n`);
  if (links.login) out(`Sign in:   ${links.login}\n  (this link holds ${o.token ? 'the given' : "the kubeconfig user's"} token: keep it private)\n`);
  else out(`The kubeconfig's user has no token: sign in with one, or pass --token.\n`);
  const ca = join(o.dataDir, 'pki', 'ca.crt');
  if (!o.kubeconfig && existsSync(ca)) out(`The API server's certificate is signed by the cluster CA ${ca}: import it in your browser, or accept the warning.\n`);
  return 0;
}
