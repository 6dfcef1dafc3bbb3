import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { ReleaseInstanceOutput } from '../release-instance.ts';
import { STATUS_TAG } from '../shared/constants.ts';
import type { ReleaseContext } from './context.ts';

/** Step "tag": `CreateTags riposte:status=released`, unless already so. */
export async function tagReleased(ctx: ReleaseContext): Promise<ReleaseInstanceOutput['tags']> {
  const releasedTags = { [STATUS_TAG]: 'released' };
  const tagged = ctx.current.tags[STATUS_TAG] === 'released';
  if (!tagged) {
    await ctx.env.clients.ec2.send(
      new CreateTagsCommand({
        Resources: [ctx.instanceId],
        Tags: Object.entries(releasedTags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  return { action: tagged ? 'already-tagged' : 'tagged', tags: releasedTags };
}
