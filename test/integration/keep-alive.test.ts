import { Agent, request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnOrigin, type OriginProcess } from '../helpers/origin-process.js';
import { FIXTURES } from '../helpers/origin-server.js';

/**
 * Behind a load balancer: an ALB keeps an idle connection to its target 60 s and then sends the next
 * request on it; the origin must not have closed it first (Node's default closes after 5 s, and the
 * request sent into the closing socket is lost: an intermittent 502). The origin as `npm start` runs
 * it, with its own defaults.
 */
let node: OriginProcess;
beforeAll(async () => {
  node = await spawnOrigin({ MEDIA_ROOT: FIXTURES });
});
afterAll(async () => {
  await node?.stop();
});

function get(agent: Agent, path: string): Promise<{ res: IncomingMessage; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${node.baseUrl}${path}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ res, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('idle connections', () => {
  it(
    'are kept longer than an ALB keeps them: a request after 61 s idle goes out on the same socket',
    { timeout: 90_000 },
    async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await get(agent, '/healthz');
        expect(first.res.statusCode).toBe(200);
        expect(first.res.headers['keep-alive']).toBe('timeout=65');
        await new Promise((r) => setTimeout(r, 61_000));
        const second = await get(agent, '/healthz');
        expect(second.reused).toBe(true);
        expect(second.res.statusCode).toBe(200);
      } finally {
        agent.destroy();
      }
    },
  );
});
