import { expect } from 'vitest';
import type { Playbook } from '#core/playbooks/sdk.ts';
import { triggersOn } from './triggers.ts';

/**
 * Trigger assertions for playbook tests, registered for every test file by `vitest.config.ts`
 * (`setupFiles`). Loads no action code: a test file's `vi.mock` of it still applies. The failure message says which clause of the trigger failed, or that the
 * event never becomes an alert.
 *
 * @example
 * expect(playbook).toTriggerOn(guardDutyInstanceFinding({ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' }));
 * expect(playbook).not.toTriggerOn(guardDutyInstanceFinding({ severity: 2 }));
 */
declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /** The event starts the playbook: a Riposte rule delivers it and the trigger matches its alert. */
    toTriggerOn(event: unknown, config?: unknown): R;
  }
}

function isPlaybook(value: unknown): value is Playbook {
  return typeof value === 'object' && value !== null && 'trigger' in value && 'nodes' in value;
}

expect.extend({
  toTriggerOn(received: unknown, event: unknown, config?: unknown) {
    if (!isPlaybook(received)) {
      return {
        pass: false,
        message: () => 'toTriggerOn expects a playbook (the default export of definePlaybook)',
      };
    }
    const verdict = triggersOn(received, event, config);
    return {
      pass: verdict.triggers,
      message: () => (verdict.triggers ? `expected no start, but ${verdict.reason}` : verdict.reason),
    };
  },
});
