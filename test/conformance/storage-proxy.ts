import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An S3 endpoint in front of the embedded one that fails on demand, over the network, as S3 does to a
 * function in another process: `before-first-byte` answers object reads with S3's 500 InternalError;
 * `mid-body` sends an object's headers and part of its bytes, then resets the connection.
 */
export type StorageFault = 'none' | 'before-first-byte' | 'mid-body';

export class StorageProxy {
  fault: StorageFault = 'none';
  /** Bytes of an object sent before a `mid-body` reset. */
  cutAfterBytes = 64 * 1024;

  private constructor(private readonly server: Server) {}

  static async start(target: string): Promise<StorageProxy> {
    const upstream = new URL(target);
    const server = createServer();
    const proxy = new StorageProxy(server);
    server.on('request', (incoming, outgoing) => {
      // GetObject, path-style: /bucket/key?x-id=GetObject (a listing has no key and a list-type query).
      const [path = '', query = ''] = (incoming.url ?? '').split('?');
      const objectRead = incoming.method === 'GET' && path.split('/').length > 2 && !query.includes('list-type');
      if (objectRead && proxy.fault === 'before-first-byte') {
        incoming.resume();
        outgoing.writeHead(500, { 'Content-Type': 'application/xml' });
        outgoing.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>' +
            '<Message>We encountered an internal error. Please try again.</Message></Error>',
        );
        return;
      }
      const out = forward(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          if (!(objectRead && proxy.fault === 'mid-body' && answer.statusCode === 200)) {
            answer.pipe(outgoing);
            return;
          }
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            const room = proxy.cutAfterBytes - sent;
            if (room <= 0) return;
            outgoing.write(chunk.subarray(0, room));
            sent += Math.min(room, chunk.length);
            if (sent >= proxy.cutAfterBytes) {
              answer.destroy();
              // Flushed first, then the connection goes: the function has read part of the body.
              setTimeout(() => outgoing.socket?.destroy(), 20);
            }
          });
        },
      );
      out.on('error', () => outgoing.destroy());
      incoming.pipe(out);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
