import { hostileInputSuite } from './suites/hostile-input.ts';

// `npm test` scale; test/soak runs the same suite at 10×.
hostileInputSuite({ normalizeRuns: 100_000, ingestDeliveries: 2_000 });
