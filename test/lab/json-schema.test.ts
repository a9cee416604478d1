import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labJsonSchema } from '../../src/engine/lab-json-schema.js';

const committed = JSON.parse(readFileSync('labs/lab.schema.json', 'utf8')) as Record<
  string,
  unknown
>;
const lab = parse(readFileSync('labs/sagemaker-iam-roles/lab.yaml', 'utf8')) as Record<
  string,
  unknown
>;

describe('labs/lab.schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema` to regenerate)', () => {
    expect(committed).toEqual(labJsonSchema());
  });

  const validate = new Ajv({ strict: false, allErrors: true }).compile(committed);

  it('accepts the bundled lab, variables and all', () => {
    expect(validate(lab), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("types each check's `with` by its check type, as editors will show it", () => {
    const broken = structuredClone(lab) as {
      steps: { checks: { with: Record<string, unknown> }[] }[];
    };
    broken.steps[1]!.checks[0]!.with = { rolename: 'typo' };
    expect(validate(broken)).toBe(false);
  });

  it('accepts Lesson 9.3 (action ids, a wait action, needs, mistakes)', () => {
    const lesson = parse(readFileSync('labs/sagemaker-training-job/lab.yaml', 'utf8')) as unknown;
    expect(validate(lesson), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('knows the services validate knows: an action on another service is flagged', () => {
    const broken = structuredClone(lab) as { steps: { actions: { aws?: string }[] }[] };
    const action = broken.steps[1]!.actions.find((a) => a.aws)!;
    action.aws = 'ec2:RunInstances';
    expect(validate(broken)).toBe(false);
  });

  it('rejects an unknown check type', () => {
    const broken = structuredClone(lab) as { steps: { checks: { type: string }[] }[] };
    broken.steps[1]!.checks[0]!.type = 'iam.role.exist';
    expect(validate(broken)).toBe(false);
  });
});
