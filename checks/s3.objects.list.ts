import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { bucketName, roleName } from './fragments.js';

export const s3ObjectsList = defineCheckSpec({
  type: 's3.objects.list',
  summary:
    'Listing the bucket works (as the role, when given: its effective permissions must allow s3:ListBucket) and finds the expected objects.',
  with: z.strictObject({
    bucket: bucketName,
    prefix: z.string().default(''),
    asRole: roleName.optional().describe('List as this role would: its policies must allow it'),
    minObjects: z.number().int().min(0).default(1).describe('At least this many objects'),
    keys: z.array(z.string()).default([]).describe('Keys that must be among the objects'),
  }),
});
