import { createServer, connect, type Socket } from 'node:net';

export interface StallProxy {
  /** host:port the proxy listens on, forwarding to the target. */
  port: number;
  /** While stalled, new and open connections pass no bytes (a dependency that hangs). */
  stall(on: boolean): void;
  /** Closes every connection at once (a dependency that drops mid-request). */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a test server that can hang or drop, for fault tests. */
export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  let stalled = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (!stalled) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stall: (on) => void (stalled = on),
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
