import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { failed, passed, sentence } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';

export const cloudtrailTrail = defineCheckSpec({
  type: 'cloudtrail.trail',
  summary: 'A CloudTrail trail exists (by name, or any) and is logging.',
  docs: {
    judges:
      'Finds the trail by name (or any trail in the region) and asks its status: it must be logging (unless `logging: false`) and, when `multiRegion` is given, be (or not be) a multi-region trail. The message says which trail was judged and the command that starts it.',
    calls: ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus'],
    example: { name: '${trail}', logging: true },
  },
  with: z.strictObject({
    name: z.string().min(1).optional().describe('The trail; any trail when omitted'),
    logging: z.boolean().default(true).describe('It must be logging'),
    multiRegion: z.boolean().optional().describe('It must (or must not) be multi-region'),
  }),
});

interface Trail {
  Name?: string;
  TrailARN?: string;
  IsMultiRegionTrail?: boolean;
  S3BucketName?: string;
  HomeRegion?: string;
}

export const cloudtrailTrailCheck: CheckType<typeof cloudtrailTrail.with> = onTarget({
  ...cloudtrailTrail,
  async run(input, ctx) {
    const out = await callTarget<{ trailList?: Trail[] }>(ctx, 'cloudtrail', 'DescribeTrails', {
      ...(input.name ? { trailNameList: [input.name] } : {}),
      includeShadowTrails: true,
    });
    // The name is matched here too: a target may ignore trailNameList and list every trail.
    const trails = (out.trailList ?? []).filter(
      (t) => !input.name || t.Name === input.name || t.TrailARN === input.name,
    );
    if (trails.length === 0) {
      return failed(
        input.name
          ? `no CloudTrail trail named ${input.name} in ${ctx.target.region}`
          : `no CloudTrail trail in ${ctx.target.region}: create one with \`aws cloudtrail create-trail\``,
        { name: input.name, region: ctx.target.region },
      );
    }
    const judged = await Promise.all(
      trails.map(async (trail) => {
        const status = await callTarget<{ IsLogging?: boolean }>(
          ctx,
          'cloudtrail',
          'GetTrailStatus',
          { Name: trail.TrailARN ?? trail.Name },
        );
        const problems: string[] = [];
        if (input.logging && !status.IsLogging) {
          problems.push(
            `the trail ${trail.Name} exists but is not logging: run \`aws cloudtrail start-logging --name ${trail.Name}\``,
          );
        }
        if (input.multiRegion !== undefined && !!trail.IsMultiRegionTrail !== input.multiRegion) {
          problems.push(
            `the trail ${trail.Name} is ${trail.IsMultiRegionTrail ? '' : 'not '}multi-region; it should ${input.multiRegion ? '' : 'not '}be`,
          );
        }
        return {
          trail,
          problems,
          evidence: {
            name: trail.Name,
            isLogging: !!status.IsLogging,
            multiRegion: !!trail.IsMultiRegionTrail,
            bucket: trail.S3BucketName,
          },
        };
      }),
    );
    const evidence = { trails: judged.map((j) => j.evidence) };
    // Without a name, any one good trail is enough.
    const good = judged.find((j) => j.problems.length === 0);
    if (good) {
      return passed(
        `the trail ${good.trail.Name} ${input.logging ? 'is logging' : 'exists'}${good.trail.S3BucketName ? ` to s3://${good.trail.S3BucketName}` : ''}`,
        evidence,
      );
    }
    return failed(sentence(judged.flatMap((j) => j.problems)), evidence);
  },
});
