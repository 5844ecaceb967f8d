/** The kubelet's streaming server (logs, exec, port-forward): `startKubeletServer(opts)`; see server.ts. */
export { startKubeletServer, DEFAULT_KUBELET_PORT, type KubeletServer, type KubeletServerOptions } from './server.ts';
