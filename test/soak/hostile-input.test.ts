import { hostileInputSuite } from '../reliability/suites/hostile-input.ts';

// 10× the `npm test` scale (test/reliability/hostile-input.test.ts).
hostileInputSuite({ normalizeRuns: 1_000_000, ingestDeliveries: 20_000 });
