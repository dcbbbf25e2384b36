import { defineConfig } from 'vitest/config';

const BROWSER = ['**/*.browser.test.ts'];
/**
 * Files that mostly wait (a connection idle past a load balancer's timeout): they run beside the browser files,
 * on the core those leave idle, rather than holding one of the two slots the ffmpeg-heavy files share.
 */
const WAITING = ['test/integration/keep-alive.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Media tests spawn ffmpeg; two files at once keeps a 2-core machine busy without thrashing.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...BROWSER, ...WAITING, '**/node_modules/**'],
        },
      },
      {
        // Players in Chromium need the origin to keep ahead of real time: they run after the
        // ffmpeg-heavy files, one file at a time, so they measure the media, not CPU contention.
        extends: true,
        test: { name: 'browser', include: BROWSER, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'waiting', include: WAITING, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
