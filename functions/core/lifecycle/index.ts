/**
 * The incident lifecycle: the status derivation (`./status.ts`), the writer every fact change
 * goes through (`./record.ts`), the case log (`./log.ts`) and the lifecycle events (`./events.ts`).
 *
 * @example
 * import { deriveStatus, statusLabel } from '#core/lifecycle/index.ts';
 * statusLabel(deriveStatus(incident)) // 'not contained (dry-run)'
 */
export * from './events.ts';
export * from './log.ts';
export * from './record.ts';
export * from './status.ts';
