import * as z from 'zod';
import { checkSpecs } from '../../checks/index.js';
import {
  awsAction,
  check,
  lab,
  manualAction,
  shellAction,
  step,
  waitAction,
} from '../lab/schema.js';
import { SERVICE_NAMES } from '../service-names.js';

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
  // The services validate accepts, so an editor flags `aws: ec2:RunInstances` as validate does.
  const services = SERVICE_NAMES.join('|');
  const knownAws = awsAction.extend({
    aws: z
      .string()
      .regex(new RegExp(`^(${services}):[A-Z][A-Za-z0-9]+$`))
      .describe(
        `An AWS SDK v3 operation, service:Operation; the services: ${SERVICE_NAMES.join(', ')}`,
      ),
  });
  const knownWait = waitAction.extend({
    wait: z
      .string()
      .regex(new RegExp(`^(${services}):[A-Z][A-Za-z0-9]+$`))
      .describe("Wait with one of the AWS SDK's waiters, service:Waiter"),
  });
  const anyAction = z.union([knownAws, shellAction, manualAction, knownWait]);
  const typedLab = lab.extend({
    cleanup: z
      .array(knownAws.or(shellAction))
      .default([])
      .describe('What `labwright reset` runs, in order, to delete what the lab created'),
    steps: z
      .array(
        step.extend({
          actions: z.array(anyAction).default([]),
          checks: z.array(anyCheck).default([]),
        }),
      )
      .min(1),
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
