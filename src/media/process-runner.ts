import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Why a process run failed; the runner's only error type. `killed`: ended by a signal the runner did
 * not send (the kernel's out-of-memory killer, an operator, a crash): nothing says the input is at fault.
 * `memory`: the run needed more than its memory ceiling (`RunOptions.memoryBytes`): an allocation
 * failed and the tool said so.
 */
export class ProcessError extends Error {
  override readonly name = 'ProcessError';
  constructor(
    message: string,
    readonly reason: 'exit' | 'killed' | 'timeout' | 'aborted' | 'spawn' | 'output-limit' | 'memory',
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Refuse (and kill) a run whose output (stdout and any extra outputs together) grows past this many bytes. */
  maxOutputBytes?: number;
  /**
   * Pipes collected beside stdout, on file descriptors 3, 4, …: one ffmpeg run that writes several
   * outputs (`pipe:3`) pays its start-up and its demuxing once.
   */
  extraOutputs?: number;
  /**
   * Bytes written to the child's stdin, which is then closed (otherwise stdin is /dev/null). A promise
   * lets the child start (and pay its start-up cost) while its input is still being made; if the
   * promise rejects, the child is killed and the run fails.
   */
  stdin?: Uint8Array | Promise<Uint8Array>;
  /**
   * Lets a scheduler pause the child while a more urgent job runs: SIGSTOP/SIGCONT to its process
   * group. Time spent paused does not count against `timeoutMs`.
   */
  pausable?: { onPause(pause: () => void, resume: () => void): () => void };
  /**
   * The run's memory ceiling in bytes (RLIMIT_DATA: its heap and private writable mappings), instead of
   * the runner's default. undefined in both: none.
   */
  memoryBytes?: number;
  /**
   * Takes stdout as it comes instead of collecting it (`RunResult.stdout` is then empty): a listing
   * whose length the input decides (a packet scan) is folded as it arrives, never held whole.
   */
  onStdout?: (chunk: Buffer) => void;
}

export interface RunResult {
  stdout: Buffer;
  /** What the child wrote to file descriptors 3, 4, … (`extraOutputs`). */
  extra: Buffer[];
  stderr: string;
}

const STDERR_TAIL = 8 * 1024;

/** Signals the child's whole process group (it leads one: spawned detached). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
/** Time between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * util-linux's setpriv, which sets the parent-death signal (prctl PR_SET_PDEATHSIG) and then runs the
 * command: the kernel kills the child when the origin dies, even by SIGKILL. Where it is missing (not
 * Linux), children are only killed by a shutdown the origin lives through.
 */
const PDEATHSIG = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * util-linux's prlimit, which sets the memory ceiling (RLIMIT_DATA) and then runs the command. The
 * data limit, not the address space (RLIMIT_AS): ffmpeg reserves address space by the hundred MB for
 * its threads' malloc arenas and stacks without touching it (a 1080p → 720p segment: VmPeak 750 MB,
 * 160 MB resident, and 50 MB more address space per decoder thread), while the data limit follows what
 * a run really allocates (that segment runs within 250 MB, an 8K source's within 600 MB). Where prlimit
 * is missing (not Linux), runs have no ceiling.
 */
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((path) => existsSync(path));

/**
 * What ffmpeg, ffprobe, x264 and the dynamic loader say when an allocation fails (seen under a ceiling:
 * a decoder's frame buffers, x264's lookahead, a library that cannot be mapped). Read only from a run
 * that failed: one that exits 0 made its output.
 */
const OUT_OF_MEMORY =
  /cannot allocate|could not allocate|failed to allocate|malloc of size \d+ failed|get_(encode_)?buffer\(\) failed|failed to map segment|out of memory/i;

/**
 * Whether a run's stderr says an allocation failed. A decoder short of memory may still exit 0 having
 * decoded nothing; a caller that finds no output asks this.
 */
export const saysOutOfMemory = (stderr: string) => OUT_OF_MEMORY.test(stderr);

/** The command line that runs `command` under the parent-death signal and the memory ceiling, where they exist. */
function wrapped(command: string, args: readonly string[], memoryBytes: number | undefined): [string, string[]] {
  let line = [command, ...args];
  if (PRLIMIT && memoryBytes !== undefined) line = [PRLIMIT, `--data=${Math.floor(memoryBytes)}`, '--', ...line];
  if (PDEATHSIG) line = [PDEATHSIG, '--pdeathsig', 'KILL', '--', ...line];
  return [line[0]!, line.slice(1)];
}

export interface ProcessRunnerOptions {
  /** Every run's memory ceiling in bytes unless its RunOptions say otherwise; undefined: none. */
  memoryBytes?: number;
}

/**
 * Owns the life of every ffmpeg/ffprobe child: argument arrays (no shell), stdout collected, stderr's
 * tail kept for errors, a timeout and an abort signal that kill (TERM, then KILL after a grace
 * period), and `shutdown()` to kill whatever is still running.
 */
export class ProcessRunner {
  readonly #running = new Set<ChildProcess>();

  constructor(private readonly options: ProcessRunnerOptions = {}) {}

  /** The memory ceiling of a run without its own (bytes). */
  get memoryBytes(): number | undefined {
    return this.options.memoryBytes;
  }

  /** Number of children alive now (tests assert it returns to zero). */
  get running(): number {
    return this.#running.size;
  }

  run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new ProcessError(`${command} aborted before start`, 'aborted', ''));
        return;
      }
      // Its own process group, so a kill reaches anything the child started too; and killed with the
      // origin, however the origin dies (a crashed origin's ffmpeg held gigabytes for half a minute).
      const extraOutputs = options.extraOutputs ?? 0;
      const [file, argv] = wrapped(command, args, options.memoryBytes ?? this.options.memoryBytes);
      const child = spawn(file, argv, {
        stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...Array<'pipe'>(extraOutputs).fill('pipe')],
        detached: true,
      });
      this.#running.add(child);
      if (options.stdin) {
        // A child that exits early closes its end: its exit status tells why, not the EPIPE.
        child.stdin!.on('error', () => {});
        Promise.resolve(options.stdin).then(
          (bytes) => child.stdin!.end(bytes),
          (err: unknown) => kill(new ProcessError(`${command} input failed: ${String(err)}`, 'aborted', '')),
        );
      }
      const outputs: Buffer[][] = Array.from({ length: 1 + extraOutputs }, () => []);
      let bytes = 0;
      let stderr = '';
      let failure: ProcessError | undefined;
      let killTimer: NodeJS.Timeout | undefined;

      const kill = (reason: ProcessError) => {
        failure ??= reason;
        if (child.exitCode !== null || child.signalCode !== null) return;
        killGroup(child, 'SIGTERM');
        // A paused child handles SIGTERM only once it runs again.
        killGroup(child, 'SIGCONT');
        killTimer ??= setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
      };
      const timeout = () =>
        kill(new ProcessError(`${command} timed out after ${options.timeoutMs} ms`, 'timeout', stderr));
      let timer = setTimeout(timeout, options.timeoutMs);
      let left = options.timeoutMs;
      let since = performance.now();
      const unregister = options.pausable?.onPause(
        () => {
          clearTimeout(timer);
          left -= performance.now() - since;
          killGroup(child, 'SIGSTOP');
        },
        () => {
          killGroup(child, 'SIGCONT');
          since = performance.now();
          timer = setTimeout(timeout, Math.max(0, left));
        },
      );
      const onAbort = () => kill(new ProcessError(`${command} aborted`, 'aborted', stderr));
      options.signal?.addEventListener('abort', onAbort, { once: true });

      for (const [i, chunks] of outputs.entries()) {
        (child.stdio[i === 0 ? 1 : 2 + i] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
          if (i === 0 && options.onStdout) return options.onStdout(chunk);
          bytes += chunk.length;
          if (options.maxOutputBytes !== undefined && bytes > options.maxOutputBytes) {
            kill(
              new ProcessError(`${command} output exceeded ${options.maxOutputBytes} bytes`, 'output-limit', stderr),
            );
            return;
          }
          chunks.push(chunk);
        });
      }
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        stderr = (stderr + text).slice(-STDERR_TAIL);
      });
      child.on('error', (err) => {
        failure ??= new ProcessError(`${command} could not start: ${err.message}`, 'spawn', '');
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        unregister?.();
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#running.delete(child);
        if (!failure && (PDEATHSIG || PRLIMIT) && code === 127 && stderr.includes('failed to execute'))
          failure = new ProcessError(`${command} could not start: ${stderr.trim()}`, 'spawn', '');
        if (!failure && code !== 0 && code !== null && OUT_OF_MEMORY.test(stderr))
          failure = new ProcessError(`${command} ran out of memory under its ceiling`, 'memory', stderr);
        if (!failure && code === null)
          failure = new ProcessError(`${command} was killed by ${signal}`, 'killed', stderr);
        else if (!failure && code !== 0) {
          const last = stderr.trim().split('\n').slice(-3).join(' | ');
          failure = new ProcessError(`${command} exited with ${code}: ${last}`, 'exit', stderr);
        }
        if (failure) reject(failure);
        else {
          const [stdout, ...extra] = outputs.map((chunks) => Buffer.concat(chunks));
          resolve({ stdout: stdout!, extra, stderr });
        }
      });
    });
  }

  /** Kills every running child (TERM, then KILL) and resolves when all have exited. */
  async shutdown(): Promise<void> {
    const children = [...this.#running];
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('close', () => resolve());
            killGroup(child, 'SIGTERM');
            killGroup(child, 'SIGCONT');
            setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
          }),
      ),
    );
  }
}

/** What a media job needs to run ffmpeg. */
export interface FfmpegContext {
  runner: ProcessRunner;
  ffmpegPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A scheduler may pause the run while a more urgent job runs (see ProcessRunner's RunOptions). */
  pausable?: RunOptions['pausable'];
}
