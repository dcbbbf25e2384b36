// RNNoise in a worker thread (plain JavaScript: a worker file must load in Node as it is, under tsx,
// vitest and from dist/ alike). It answers `{ id, samples }` — one channel, 48 kHz floats in ±1, a whole
// number of 480-sample frames — with `{ id, samples }` denoised from a fresh state, or `{ id, error }`.
// The output lags the input by RNNoise's own delay; the caller removes it (denoise-runs.ts, beside this file).
import { parentPort } from 'node:worker_threads';
// The sync build embeds its WebAssembly, so the worker is ready as soon as it has loaded.
import createRnnoise from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';

const FRAME = 480;
// RNNoise takes and returns samples on the 16-bit scale.
const SCALE = 32768;
const rnnoise = createRnnoise();
const input = rnnoise._malloc(FRAME * 4);
const output = rnnoise._malloc(FRAME * 4);

function denoise(samples) {
  if (samples.length % FRAME !== 0)
    throw new Error(`${samples.length} samples is not a whole number of ${FRAME}-sample frames`);
  const state = rnnoise._rnnoise_create();
  const out = new Float32Array(samples.length);
  try {
    for (let at = 0; at < samples.length; at += FRAME) {
      // Read the heap view each frame: it is replaced if the module's memory grows.
      const heap = rnnoise.HEAPF32;
      for (let k = 0; k < FRAME; k++) heap[input / 4 + k] = samples[at + k] * SCALE;
      rnnoise._rnnoise_process_frame(state, output, input);
      for (let k = 0; k < FRAME; k++) out[at + k] = heap[output / 4 + k] / SCALE;
    }
  } finally {
    rnnoise._rnnoise_destroy(state);
  }
  return out;
}

parentPort.on('message', ({ id, samples }) => {
  try {
    const out = denoise(samples);
    parentPort.postMessage({ id, samples: out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});
