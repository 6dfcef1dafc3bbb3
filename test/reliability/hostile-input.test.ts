import { hostileInputSuite } from './suites/hostile-input.ts';

// `npm test` scale, kept small so the suite fits its time budget on a loaded machine;
// test/soak runs the same suite at 50×.
hostileInputSuite({ normalizeRuns: 20_000, ingestDeliveries: 2_000 });
