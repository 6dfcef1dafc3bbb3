import { defineFamily } from '../family.ts';
import { notifyAction } from '../notify/notify.ts';

/** The notify family: notifications to the operators (SNS, chat webhooks). */
export const notifyFamily = defineFamily('notify', [notifyAction]);
