import { DENOISE_LAG_SAMPLES, denoiseLength, runWeight, type DenoiseRun } from '../../../core/audio/denoise-plan.js';
import { AUDIO_CHANNELS } from '../../../core/timeline/media-units.js';
import type { Denoiser } from './denoiser.js';

/** True when both channels of `pcm` hold the same samples over [from, from + count). */
function sameChannels(pcm: Float32Array, from: number, count: number): boolean {
  for (let i = from * AUDIO_CHANNELS; i < (from + count) * AUDIO_CHANNELS; i += AUDIO_CHANNELS)
    if (pcm[i] !== pcm[i + 1]) return false;
  return true;
}

/**
 * Replaces the samples the runs cover in `pcm` (interleaved stereo, output samples from `pcmFrom`)
 * with their denoised signal: each run's RNNoise output, its lag removed exactly (the output at t is
 * RNNoise's output at t + lag), weighted by the run's fades, summed where runs overlap. A run starts
 * fresh at its `stateFrom` and hears its clip, then silence. A mono source (or a stereo one whose
 * channels are the same) is denoised once and copied to both channels; channels and runs go to the
 * denoiser in parallel.
 */
export async function denoiseRuns(
  pcm: Float32Array,
  pcmFrom: number,
  runs: readonly DenoiseRun[],
  denoiser: Denoiser,
  timeoutMs: number,
): Promise<void> {
  const pcmTo = pcmFrom + pcm.length / AUDIO_CHANNELS;
  const outputs = await Promise.all(
    runs.map((run) => {
      const length = denoiseLength(run);
      const heard = Math.min(length, run.clipEnd - run.stateFrom);
      if (run.stateFrom < pcmFrom || run.stateFrom + heard > pcmTo)
        throw new RangeError('denoise run outside the decoded samples');
      // Identical channels (a mono microphone in a stereo file) give identical outputs: denoise once.
      const once = run.mono || sameChannels(pcm, run.stateFrom - pcmFrom, heard);
      return Promise.all(
        (once ? [0] : [0, 1]).map((channel) => {
          const input = new Float32Array(length);
          for (let i = 0; i < heard; i++) input[i] = pcm[(run.stateFrom - pcmFrom + i) * AUDIO_CHANNELS + channel]!;
          return denoiser.denoise(input, timeoutMs);
        }),
      );
    }),
  );
  for (const run of runs)
    for (let t = run.from; t < run.to; t++)
      pcm.fill(0, (t - pcmFrom) * AUDIO_CHANNELS, (t - pcmFrom + 1) * AUDIO_CHANNELS);
  runs.forEach((run, r) => {
    const [left, right = left] = outputs[r]!;
    for (let t = run.from; t < run.to; t++) {
      const weight = runWeight(run, t);
      const at = (t - pcmFrom) * AUDIO_CHANNELS;
      const i = t - run.stateFrom + DENOISE_LAG_SAMPLES;
      pcm[at] = pcm[at]! + weight * left![i]!;
      pcm[at + 1] = pcm[at + 1]! + weight * right![i]!;
    }
  });
}
