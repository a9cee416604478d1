import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { roleName } from './fragments.js';

const notebookStatus = z.enum([
  'Pending',
  'InService',
  'Stopping',
  'Stopped',
  'Failed',
  'Deleting',
  'Updating',
]);

export const sagemakerNotebook = defineCheckSpec({
  type: 'sagemaker.notebook',
  summary:
    'The notebook instance exists, uses the given execution role, and is in one of the given states.',
  with: z.strictObject({
    name: z.string().min(1).max(63).describe('Notebook instance name'),
    role: roleName.optional().describe('The execution role it must use'),
    status: z.array(notebookStatus).default(['Pending', 'InService']).describe('Acceptable states'),
    instanceType: z.string().optional(),
  }),
});
