import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Media tests spawn ffmpeg; two files at once keeps a 2-core machine busy without thrashing.
    maxWorkers: 2,
  },
});
