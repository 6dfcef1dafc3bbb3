import { safetySuite } from './suites/safety.ts';

// `npm test` scale; test/soak runs the same suite at 10×.
safetySuite({ randomRuns: 20 });
