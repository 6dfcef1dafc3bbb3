import type { ActionDefinition } from '../types.ts';
import { notifyAction } from './notify.ts';

/**
 * The notify action: one message model (`build.ts`), rendered and delivered per channel
 * (`channels/`: e-mail through SNS, Slack, a signed webhook).
 */
export const NOTIFY_ACTIONS: readonly ActionDefinition[] = [notifyAction] as readonly ActionDefinition[];
