import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

const run = promisify(execFile);

/**
 * The README's curl examples, pasted as a newcomer would, against the origin as `npm start` runs it
 * (the fixtures, no token): each answers without an error, with the status its `# <status>` line
 * says, and the duration it says. `<id>` is the revision the first example mints.
 */
interface Example {
  command: string;
  /** The `# 201 {…}` line under it, if any. */
  expect?: { status: number; duration?: number };
}

/** The shell lines of a block: continued lines (`\`, or inside a quote) joined, as a shell reads them. */
function shellLines(block: string): string[] {
  const lines: string[] = [];
  let open = '';
  for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
    open = open ? `${open}\n${line.trim()}` : line.trim();
    if ((open.match(/'/g) ?? []).length % 2 === 0) [lines[lines.length], open] = [open, ''];
  }
  return lines;
}

/** Every `curl` command in the README's ```sh blocks, with the line that follows it. */
function examples(readme: string): Example[] {
  const found: Example[] = [];
  for (const [, body] of readme.matchAll(/^ *```sh\n([\s\S]*?)^ *```/gm)) {
    const lines = shellLines(body!);
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith('curl ')) continue;
      const next = /^# (\d{3})\b(.*)$/.exec(lines[i + 1] ?? '');
      const duration = next && /"duration":([\d.]+)/.exec(next[2]!);
      found.push({
        command: line,
        expect: next ? { status: Number(next[1]), duration: duration ? Number(duration[1]) : undefined } : undefined,
      });
    }
  }
  return found;
}

let server: RunningOrigin;
let dir: string;
let readme: string;

beforeAll(async () => {
  server = await startOrigin({ AVSERVER_API_TOKEN: '' });
  dir = await mkdtemp(join(tmpdir(), 'avserver-readme-'));
  readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the README's examples", () => {
  it('all run against the shipped fixtures, with the answers they show', { timeout: 120_000 }, async () => {
    const list = examples(readme);
    expect(list.length).toBeGreaterThanOrEqual(10);
    let id: string | undefined;
    for (const example of list) {
      const command = example.command
        .replaceAll('http://127.0.0.1:8080', server.baseUrl)
        .replaceAll('<id>', id ?? '<id>')
        // The status on a line of its own after whatever the example prints.
        .replace(/^curl /, `curl -w '\\n%{http_code}' `);
      expect(command, 'an example uses a revision before one is minted').not.toContain('<id>');
      const { stdout } = await run('bash', ['-c', command], {
        cwd: dir,
        env: { ...process.env, AVSERVER_API_TOKEN: '' },
        maxBuffer: 64 * 1024 * 1024,
      });
      const status = Number(stdout.trimEnd().split('\n').pop());
      const printed = stdout.trimEnd().split('\n').slice(0, -1).join('\n');
      if (example.expect) {
        expect(status, `${example.command}\n${printed}`).toBe(example.expect.status);
        if (example.expect.duration !== undefined)
          expect((JSON.parse(printed) as { duration: number }).duration).toBeCloseTo(example.expect.duration, 1);
      } else expect(status, `${example.command}\n${printed}`).toBeLessThan(400);
      id ??= (JSON.parse(printed) as { revisionId?: string }).revisionId;
    }
  });
});
