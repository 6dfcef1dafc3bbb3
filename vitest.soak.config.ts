import { configDefaults, defineConfig } from 'vitest/config';

/** `npm run test:soak`: the reliability suites at 10× the scale of `npm test` (test/soak). */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 60 * 60_000,
    hookTimeout: 10 * 60_000,
    // One file at a time: the suites are CPU-bound and time their own scale.
    fileParallelism: false,
  },
});
