/**
 * `Forget`: the sandbox's one labwright-only operation, what `labwright reset` asks of it over
 * `POST /_labwright/forget`. AWS can delete neither a training job nor CloudTrail's event
 * history; the sandbox can, so a retake starts from nothing. Given the ARNs of an attempt's
 * resources, it forgets those AWS cannot delete (each service's `forget`: training jobs) and
 * every CloudTrail event that names one of them or was made as one of them (a role's
 * sessions). Nothing else: another lab's resources and their events stay. The core journals
 * it as a `sandbox:Forget` task record, so a hand-in replays it.
 */
import type { ServiceRegistry } from './registry.js';
import type { EventLog, TrailEvent } from './trail.js';
import { AwsError } from './types.js';

export interface ForgetRequest {
  /** ARNs of the attempt's resources: training jobs, roles, policies, notebooks, buckets. */
  resources: string[];
}

export interface ForgetResult {
  /** The ARNs of the resources forgotten (those AWS cannot delete). */
  forgotten: string[];
  /** How many CloudTrail events were forgotten. */
  events: number;
}

/** More than any lab names; a bound on what one request may ask. */
const MAX_RESOURCES = 1000;

/** The request body as JSON, checked: `{ "resources": ["arn:...", ...] }`. */
export function parseForgetRequest(body: unknown): ForgetRequest {
  const resources = (body as { resources?: unknown } | null)?.resources;
  if (
    !Array.isArray(resources) ||
    resources.length > MAX_RESOURCES ||
    !resources.every((arn) => typeof arn === 'string' && arn.startsWith('arn:'))
  ) {
    throw new AwsError(
      'ValidationException',
      `Forget takes { "resources": [ARN, ...] }, at most ${MAX_RESOURCES} ARNs`,
    );
  }
  return { resources: resources as string[] };
}

export function forgetResources(
  sandbox: { registry: ServiceRegistry; events: EventLog },
  request: ForgetRequest,
): ForgetResult {
  const arns = new Set(request.resources);
  const forgotten = sandbox.registry
    .names()
    .flatMap((name) => sandbox.registry.get(name)?.handler.forget?.(arns) ?? []);
  // SageMaker writes its ARNs in lower case; compare as AWS matches them, case-blind.
  const named = new Set([...arns, ...forgotten].map((arn) => arn.toLowerCase()));
  const events = sandbox.events.remove((event) => concerns(event, named));
  return { forgotten, events };
}

/** The event names one of the resources, or was made in a session of one of them (a role). */
function concerns(event: TrailEvent, named: ReadonlySet<string>): boolean {
  if (event.resources?.some((resource) => named.has(resource.ARN.toLowerCase()))) return true;
  const issuer = (event.userIdentity.sessionContext as { sessionIssuer?: { arn?: unknown } })
    ?.sessionIssuer?.arn;
  return typeof issuer === 'string' && named.has(issuer.toLowerCase());
}
