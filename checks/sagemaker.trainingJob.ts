import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { roleName } from './fragments.js';

const trainingStatus = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

export const sagemakerTrainingJob = defineCheckSpec({
  type: 'sagemaker.trainingJob',
  summary:
    'A training job (by name, or the latest one run with the role) reached one of the given states.',
  with: z
    .strictObject({
      name: z.string().min(1).optional().describe('Exact job name'),
      namePrefix: z.string().min(1).optional().describe('Latest job whose name starts with this'),
      role: roleName.optional().describe('Latest job run with this execution role'),
      status: z.array(trainingStatus).default(['Completed']),
    })
    .refine((w) => w.name || w.namePrefix || w.role, {
      message: 'give name, namePrefix or role',
    }),
});
