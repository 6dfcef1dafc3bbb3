import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the console's flows in Chromium (test/console/*.browser.test.ts).
 * One file at a time, one browser: the flows share a server and run in order.
 */
export default defineConfig({
  test: {
    include: ['test/console/**/*.browser.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
