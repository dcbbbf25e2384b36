import { describe, expect, it } from 'vitest';
import { ProcessError, ProcessRunner } from './process-runner.js';

/** Real child processes (sh, sleep): the runner's job is their life and death. */
describe('ProcessRunner', () => {
  it('collects stdout and keeps stderr', async () => {
    const runner = new ProcessRunner();
    const out = await runner.run('sh', ['-c', 'printf hello; printf oops >&2'], { timeoutMs: 5000 });
    expect(out.stdout.toString()).toBe('hello');
    expect(out.stderr).toBe('oops');
    expect(runner.running).toBe(0);
  });

  it('collects extra outputs on file descriptors 3 and up', async () => {
    const out = await new ProcessRunner().run('sh', ['-c', 'printf a; printf b >&3; printf c >&4'], {
      timeoutMs: 5000,
      extraOutputs: 2,
    });
    expect([out.stdout, ...out.extra].map(String)).toEqual(['a', 'b', 'c']);
  });

  it('fails with the exit code and the end of stderr', async () => {
    const err = await new ProcessRunner()
      .run('sh', ['-c', 'echo broken input >&2; exit 3'], { timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessError);
    expect(err).toMatchObject({ reason: 'exit', message: expect.stringContaining('exited with 3: broken input') });
  });

  it('tells a process killed from outside (the out-of-memory killer) from one that failed', async () => {
    const err = await new ProcessRunner()
      .run('sh', ['-c', 'kill -KILL $$'], { timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'killed', message: expect.stringContaining('killed by SIGKILL') });
  });

  it('holds a run to its memory ceiling, and says when the run needed more', async () => {
    // Perl (in every Debian) builds a 100 MB string: refused under a ceiling of 64 MB, fine under 1 GB.
    const args = ['-e', '$s = "x" x 100_000_000; print length $s'];
    const runner = new ProcessRunner({ memoryBytes: 64 * 1024 * 1024 });
    await expect(runner.run('perl', args, { timeoutMs: 10_000 })).rejects.toMatchObject({ reason: 'memory' });
    const roomy = await runner.run('perl', args, { timeoutMs: 10_000, memoryBytes: 1024 * 1024 * 1024 });
    expect(roomy.stdout.toString().trim()).toBe('100000000');
    expect(runner.running).toBe(0);
  });

  it('hands stdout over as it comes when asked to, keeping none of it', async () => {
    const chunks: string[] = [];
    const out = await new ProcessRunner().run('sh', ['-c', 'printf one; printf two'], {
      timeoutMs: 5000,
      onStdout: (chunk) => chunks.push(chunk.toString()),
    });
    expect(chunks.join('')).toBe('onetwo');
    expect(out.stdout.length).toBe(0);
  });

  it('kills a run that outlives its timeout', async () => {
    const runner = new ProcessRunner();
    const started = Date.now();
    await expect(runner.run('sleep', ['30'], { timeoutMs: 200 })).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(runner.running).toBe(0);
  });

  it('escalates to SIGKILL when TERM is ignored', async () => {
    const runner = new ProcessRunner();
    const run = runner.run('sh', ['-c', "trap '' TERM; sleep 30 & wait; sleep 30"], { timeoutMs: 200 });
    await expect(run).rejects.toMatchObject({ reason: 'timeout' });
    expect(runner.running).toBe(0);
  });

  it('kills a run whose signal aborts', async () => {
    const runner = new ProcessRunner();
    const controller = new AbortController();
    const run = runner.run('sleep', ['30'], { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toMatchObject({ reason: 'aborted' });
    expect(runner.running).toBe(0);
  });

  it('refuses output beyond its limit', async () => {
    await expect(
      new ProcessRunner().run('sh', ['-c', 'yes'], { timeoutMs: 5000, maxOutputBytes: 1000 }),
    ).rejects.toMatchObject({ reason: 'output-limit' });
  });

  it('shuts down every running child', async () => {
    const runner = new ProcessRunner();
    const runs = [
      runner.run('sleep', ['30'], { timeoutMs: 60_000 }),
      runner.run('sleep', ['30'], { timeoutMs: 60_000 }),
    ].map((p) => p.catch((e: unknown) => e));
    expect(runner.running).toBe(2);
    await runner.shutdown();
    expect(runner.running).toBe(0);
    expect(await Promise.all(runs)).toEqual([expect.any(ProcessError), expect.any(ProcessError)]);
  });

  it('reports a missing binary', async () => {
    await expect(new ProcessRunner().run('no-such-binary-avserver', [], { timeoutMs: 1000 })).rejects.toMatchObject({
      reason: 'spawn',
    });
  });
});
