import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file synthesises the stack once; the fromAsset test also stages the Docker context.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
