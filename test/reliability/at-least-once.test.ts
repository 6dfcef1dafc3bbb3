import { atLeastOnceSuite } from './suites/at-least-once.ts';

// `npm test` scale; test/soak runs the same suite at 10×.
atLeastOnceSuite({ deliveries: 1_000, schedulerRuns: 10, deliveriesPerSchedulerRun: 20 });
