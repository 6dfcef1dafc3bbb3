import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { IsolateInstanceOutput } from '../isolate-instance.ts';
import { INCIDENT_TAG, STATUS_TAG } from '../shared/constants.ts';
import type { IsolationContext } from './context.ts';

/** Step "tag": `CreateTags` riposte:status=quarantined, riposte:incident=<id>, unless already so. */
export async function tagQuarantined(ctx: IsolationContext): Promise<IsolateInstanceOutput['tags']> {
  const quarantineTags = { [STATUS_TAG]: 'quarantined', [INCIDENT_TAG]: ctx.incidentId };
  const tagged = Object.entries(quarantineTags).every(([k, v]) => ctx.current.tags[k] === v);
  if (!tagged) {
    await ctx.env.clients.ec2.send(
      new CreateTagsCommand({
        Resources: [ctx.instanceId],
        Tags: Object.entries(quarantineTags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  return { action: tagged ? 'already-tagged' : 'tagged', tags: quarantineTags };
}
