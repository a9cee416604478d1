import { z } from 'zod';
import { defineCheckSpec } from './define.js';

export const cloudtrailTrail = defineCheckSpec({
  type: 'cloudtrail.trail',
  summary: 'A CloudTrail trail exists (by name, or any) and is logging.',
  with: z.strictObject({
    name: z.string().min(1).optional().describe('The trail; any trail when omitted'),
    logging: z.boolean().default(true).describe('It must be logging'),
    multiRegion: z.boolean().optional().describe('It must (or must not) be multi-region'),
  }),
});
