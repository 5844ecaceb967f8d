/**
 * A real API server in-process (SQLite in a temp dir, no cluster) with one controller running against it through
 * the client and shared informers, as the controller manager runs it. For controller tests that need the server's
 * validation, subresources and watch, without containers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/index.ts';
import { KubeClient } from '../../src/client/client.ts';
import { SharedInformers } from '../../src/client/factory.ts';
import type { Clock } from '../../src/util/clock.ts';

interface RunnableController {
  init(ctx: { client: KubeClient; informers: SharedInformers; clock: Clock }): void;
  run(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerHarness { client: KubeClient; stop(): Promise<void> }

export async function startControllerAgainstApiServer(prefix: string, controller: RunnableController, clock: Clock): Promise<ControllerHarness> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const server = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', store: { kind: 'sqlite', dataDir: dir }, log: () => {},
    // No controller manager creates `default` service accounts here: pods are admitted without one.
    serviceAccountAdmission: false });
  const client = new KubeClient({ server: server.url, ca: server.pki.caCert, token: server.pki.adminToken });
  const informers = new SharedInformers(client);
  controller.init({ client, informers, clock });
  await informers.startAll();
  await controller.run();
  return {
    client,
    async stop() {
      await controller.stop();
      await informers.stopAll();
      client.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
