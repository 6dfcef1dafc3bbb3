import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The long reliability runs: `npm run test:soak` (vitest.soak.config.ts); the console in
    // Chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, 'test/soak/**', 'test/**/*.browser.test.ts'],
    // Playbook assertions (`expect(playbook).toTriggerOn(event)`) for every test file.
    setupFiles: ['cli/local/matchers.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
    // Generous: the suite runs beside other work on shared 2-core machines, where a synth or a
    // storm run can take several times its usual minute; a test still cannot hang forever.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
