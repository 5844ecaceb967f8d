import { openEtcdStore } from '../../../src/storage/etcd.ts';
import { storeConformance } from './conformance.ts';
import { EtcdProcess } from './etcd-process.ts';

let etcd: EtcdProcess;
storeConformance({
  name: 'etcd',
  async setup() { etcd = new EtcdProcess(); await etcd.start(); },
  async teardown() { await etcd.destroy(); },
  async fresh() {
    const env = {
      store: await openEtcdStore([etcd.endpoint]),
      async restart() {
        await env.store.close();
        await etcd.stop();
        await etcd.start();
        env.store = await openEtcdStore([etcd.endpoint]);
        return env.store;
      },
    };
    return env;
  },
});
