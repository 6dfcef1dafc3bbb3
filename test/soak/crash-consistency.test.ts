import { crashConsistencySuite } from '../reliability/suites/crash-consistency.ts';

// 10× the `npm test` scale (test/reliability/crash-consistency.test.ts).
crashConsistencySuite({ findings: 60, kills: 30 });
