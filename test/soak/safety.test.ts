import { safetySuite } from '../reliability/suites/safety.ts';

// 10× the `npm test` scale (test/reliability/safety.test.ts).
safetySuite({ randomRuns: 200 });
