import { atLeastOnceSuite } from '../reliability/suites/at-least-once.ts';

// 10× the `npm test` scale (test/reliability/at-least-once.test.ts).
atLeastOnceSuite({ deliveries: 10_000, schedulerRuns: 100, deliveriesPerSchedulerRun: 20 });
