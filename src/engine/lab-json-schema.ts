import * as z from 'zod';
import { checkSpecs } from '../../checks/index.js';
import { check, lab, step } from '../lab/schema.js';

/**
 * The JSON Schema of a lab file, for editors (`# yaml-language-server: $schema=...`):
 * the lab schema with each check's `with` typed by its check type, so `with:` autocompletes.
 */
export function labJsonSchema(): Record<string, unknown> {
  const typedChecks = [...checkSpecs.values()].map((spec) =>
    check.extend({
      type: z.literal(spec.type).describe(spec.summary),
      with: spec.with,
    }),
  );
  const [first, second, ...rest] = typedChecks;
  if (!first || !second) throw new Error('labwright needs at least two check types');
  const anyCheck = z.union([first, second, ...rest]);
  const typedLab = lab.extend({
    steps: z.array(step.extend({ checks: z.array(anyCheck).default([]) })).min(1),
  });
  const schema = z.toJSONSchema(typedLab, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-7',
  });
  return {
    $id: 'https://labwright.dev/lab.schema.json',
    title: 'labwright lab',
    description:
      'A guided cloud lab: steps with instructions, actions and checks. Generated from the zod schema by `npm run schema`.',
    ...allowVariables(schema),
  };
}

/** A string holding a `${var}` is checked after interpolation, so editors must accept it as is. */
function allowVariables<T>(node: T): T {
  if (Array.isArray(node)) return node.map(allowVariables) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === 'pattern' && typeof value === 'string'
        ? `(?:${value})|\\$\\{`
        : allowVariables(value);
  }
  return out as T;
}
