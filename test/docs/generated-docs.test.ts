/**
 * docs/checks.md and docs/sandbox.md are generated from the code (`npm run docs`): they must
 * match it, and every check type must document itself with an example its own schema accepts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSpecs } from '../../checks/index.js';
import { interpolate } from '../../src/lab/vars.js';
import { checksDoc } from '../../scripts/docs/checks-doc.js';
import { sandboxDoc } from '../../scripts/docs/sandbox-doc.js';
import { implementedOperations } from '../../src/sandbox/implemented-operations.js';

const operations = implementedOperations();

describe('generated docs', () => {
  it('docs/checks.md is up to date with checks/ (run `npm run docs`)', () => {
    expect(readFileSync('docs/checks.md', 'utf8')).toBe(checksDoc(checkSpecs.values(), operations));
  });

  it('docs/sandbox.md is up to date with the sandbox handlers (run `npm run docs`)', () => {
    expect(readFileSync('docs/sandbox.md', 'utf8')).toBe(sandboxDoc(operations));
  });

  it('src/sandbox/operations.json, read by validate, is up to date (run `npm run docs`)', () => {
    expect(JSON.parse(readFileSync('src/sandbox/operations.json', 'utf8'))).toEqual(operations);
  });

  it('lists what the sandbox serves, e.g. the calls Lesson 9.1 makes', () => {
    const doc = readFileSync('docs/sandbox.md', 'utf8');
    expect(doc).toMatch(/## IAM \(`iam`\)\n\n.*`CreateRole`/);
    expect(doc).toMatch(/## SageMaker \(`sagemaker`\)\n\n.*`CreateTrainingJob`/);
  });

  // A sample value for each variable an example uses, as a lab's defaults would give.
  const SAMPLE: Record<string, string> = {
    partition: 'aws',
    account: '123456789012',
    region: 'us-east-1',
  };
  const sample = (value: unknown) =>
    interpolate(
      value,
      new Proxy(SAMPLE, { get: (t, name: string) => t[name] ?? `sample-${name.toLowerCase()}` }),
    );

  it.each([...checkSpecs.keys()])(
    '%s documents what it judges, with an example its schema accepts',
    (type) => {
      const spec = checkSpecs.get(type)!;
      expect(spec.docs, `${type} has no docs in its spec (checks/${type}.ts)`).toBeDefined();
      expect(spec.docs!.judges.length).toBeGreaterThan(40);
      const parsed = spec.with.safeParse(sample(spec.docs!.example));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    },
  );
});
