import { Worker } from 'node:worker_threads';
import type { Denoiser } from './denoiser.js';

interface Task {
  id: number;
  samples: Float32Array;
  timeoutMs: number;
  resolve: (samples: Float32Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  timer?: NodeJS.Timeout;
}

const WORKER_URL = new URL('./rnnoise-worker.mjs', import.meta.url);

/**
 * RNNoise on worker threads, so denoising never blocks the event loop that serves playlists and warm
 * segments. A fixed number of workers, each one channel at a time; a task past its deadline has its
 * worker terminated (and replaced), so nothing runs on for a request that gave up.
 */
export class RnnoisePool implements Denoiser {
  readonly #slots: Slot[] = [];
  readonly #waiting: Task[] = [];
  #nextId = 0;
  #closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_URL) };
    slot.worker.unref();
    slot.worker.on('message', (message: { id: number; samples?: Float32Array; error?: string }) => {
      const task = slot.task;
      if (!task || task.id !== message.id) return;
      this.#finish(slot);
      if (message.samples) task.resolve(message.samples);
      else task.reject(new Error(`rnnoise failed: ${message.error}`));
    });
    slot.worker.on('error', (err) => this.#replace(slot, new Error(`rnnoise worker crashed: ${err.message}`)));
    return slot;
  }

  /** Frees a slot and gives it the next waiting task. */
  #finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.task = undefined;
    slot.timer = undefined;
    const next = this.#waiting.shift();
    if (next) this.#start(slot, next);
  }

  /** Kills a slot's worker (failing its task) and puts a fresh one in its place. */
  #replace(slot: Slot, err: Error): void {
    const task = slot.task;
    clearTimeout(slot.timer);
    void slot.worker.terminate();
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    if (this.#closed) {
      this.#slots.splice(index, 1);
    } else {
      const fresh = this.#spawn();
      this.#slots[index] = fresh;
      const next = this.#waiting.shift();
      if (next) this.#start(fresh, next);
    }
    task?.reject(err);
  }

  #start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.timer = setTimeout(
      () => this.#replace(slot, new Error(`rnnoise took longer than ${task.timeoutMs} ms`)),
      task.timeoutMs,
    );
    // The buffer moves to the worker (no copy); the caller gave up its view of it.
    slot.worker.postMessage({ id: task.id, samples: task.samples }, [task.samples.buffer as ArrayBuffer]);
  }

  denoise(samples: Float32Array, timeoutMs: number): Promise<Float32Array> {
    if (this.#closed) return Promise.reject(new Error('the denoiser is closed'));
    return new Promise((resolve, reject) => {
      const task: Task = { id: this.#nextId++, samples, timeoutMs, resolve, reject };
      const idle = this.#slots.find((s) => !s.task);
      if (idle) this.#start(idle, task);
      else this.#waiting.push(task);
    });
  }

  /** Terminates every worker; waiting and running tasks fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const task of this.#waiting.splice(0)) task.reject(new Error('the denoiser is closed'));
    await Promise.all(
      this.#slots.splice(0).map(async (slot) => {
        clearTimeout(slot.timer);
        slot.task?.reject(new Error('the denoiser is closed'));
        await slot.worker.terminate();
      }),
    );
  }
}
