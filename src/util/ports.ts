/** Local ports for child processes that bind their own listener (HAProxy, the on-demand Prometheus). */
import * as net from 'node:net';

/** A free TCP port on 127.0.0.1, asked from the kernel and released for the child to bind (it may lose a race). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
