import { crashConsistencySuite } from './suites/crash-consistency.ts';

// `npm test` scale: a few kills; test/soak runs the same suite at 10×.
crashConsistencySuite({ findings: 60, kills: 3 });
