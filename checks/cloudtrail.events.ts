import { z } from 'zod';
import { defineCheckSpec } from './define.js';

const lookupAttribute = z.enum([
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
]);

export const cloudtrailEvents = defineCheckSpec({
  type: 'cloudtrail.events',
  summary:
    'CloudTrail event history holds matching events, e.g. SageMaker assuming the execution role.',
  with: z.strictObject({
    lookup: z
      .strictObject({ attribute: lookupAttribute, value: z.string().min(1) })
      .describe('The LookupEvents attribute to search by'),
    eventName: z.string().optional().describe('Keep only events with this name'),
    invokedBy: z
      .string()
      .optional()
      .describe('Keep only events a service made, e.g. sagemaker.amazonaws.com'),
    withinMinutes: z.number().int().min(1).default(1440).describe('How far back to look'),
    minEvents: z.number().int().min(1).default(1),
  }),
});
