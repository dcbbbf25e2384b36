/**
 * Noise suppression of one channel: 48 kHz floats in ±1, a whole number of 480-sample frames,
 * processed from a fresh state. The output lags the input by `DENOISE_LAG_SAMPLES`.
 */
export interface Denoiser {
  denoise(samples: Float32Array, timeoutMs: number): Promise<Float32Array>;
  close(): Promise<void>;
}
