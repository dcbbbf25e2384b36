import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

const BROWSER = ['**/*.browser.test.ts'];
/** Files that mostly wait (a connection idle past a load balancer's timeout): started first, beside the busy ones. */
const WAITING = ['/test/integration/keep-alive.test.ts'];

/** The default order (slowest last time first, then largest), with the waiting files ahead of all. */
class WaitingFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waits = (f: TestSpecification) => WAITING.some((w) => f.moduleId.endsWith(w));
    return [...sorted.filter(waits), ...sorted.filter((f) => !waits(f))];
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Media tests spawn ffmpeg; two files at once keeps a 2-core machine busy without thrashing.
    maxWorkers: 2,
    sequence: { sequencer: WaitingFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...BROWSER, '**/node_modules/**'],
        },
      },
      {
        // Players in Chromium need the origin to keep ahead of real time: they run after the
        // ffmpeg-heavy files, one file at a time, so they measure the media, not CPU contention.
        extends: true,
        test: { name: 'browser', include: BROWSER, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
