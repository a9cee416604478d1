/**
 * The condition keys AWS puts in a request's context from who calls, when and how: the one
 * builder for the sandbox's authorizer and for the checks that simulate a request
 * (iam.role.can, iam.role.leastPrivilege, ...). A bucket policy that denies everyone but one role
 * (`ArnNotEquals aws:PrincipalArn`) or plain HTTP (`aws:SecureTransport`) must judge a check's
 * simulated request as the sandbox judges the real one; with keys missing it would deny the role
 * itself, as a `...NotEquals` condition on an absent key holds.
 */
import { createRequire } from 'node:module';
import type * as Net from 'node:net';

/** Who makes the request, as IAM identifies it. */
export type RequestPrincipal =
  | { kind: 'root'; accountId: string; /** arn:aws:iam::<account>:root */ arn: string }
  | {
      kind: 'assumed-role';
      accountId: string;
      /** arn:aws:iam::<account>:role/<path><name>: what aws:PrincipalArn says of a session. */
      roleArn: string;
      /** The role's unique id (AROA...); unknown for a role a template only describes. */
      roleId?: string;
      sessionName: string;
    };

export interface RequestFacts {
  principal: RequestPrincipal;
  /** When the request is made, in ms since the epoch (the sandbox's journaled clock). */
  time: number;
  /** Whether the request came over TLS. */
  secureTransport: boolean;
  /** The caller's address. A service acting for the principal has none: no aws:SourceIp then. */
  sourceIp?: string;
  userAgent?: string;
  region?: string;
  /** An S3 listing's parameters (ListObjects): s3:prefix, s3:delimiter, s3:max-keys. */
  listing?: { prefix?: string; delimiter?: string; maxKeys?: string };
}

/** aws:CurrentTime as AWS writes it: ISO 8601 to the second, in UTC. */
function currentTime(time: number): string {
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The request context. aws:username is absent: it exists only for IAM users, and neither the
 * sandbox's callers nor a check's simulated role are users.
 */
export function requestContext(facts: RequestFacts): Record<string, string> {
  const { principal } = facts;
  const context: Record<string, string> = {
    'aws:PrincipalAccount': principal.accountId,
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:CurrentTime': currentTime(facts.time),
    'aws:EpochTime': String(Math.floor(facts.time / 1000)),
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
  };
  if (principal.kind === 'assumed-role') {
    context['aws:PrincipalArn'] = principal.roleArn;
    context['aws:PrincipalType'] = 'AssumedRole';
    // A role's own identity (IAM's policy simulator asks as the role) has no session name.
    if (principal.roleId) {
      context['aws:userid'] = principal.sessionName
        ? `${principal.roleId}:${principal.sessionName}`
        : principal.roleId;
    }
  } else {
    context['aws:PrincipalArn'] = principal.arn;
    context['aws:PrincipalType'] = 'Account';
    context['aws:userid'] = principal.accountId;
  }
  if (facts.sourceIp && isIP(facts.sourceIp)) context['aws:SourceIp'] = facts.sourceIp;
  if (facts.userAgent) context['aws:UserAgent'] = facts.userAgent;
  if (facts.region) context['aws:RequestedRegion'] = facts.region;
  return facts.listing ? { ...context, ...listingContext(facts.listing) } : context;
}

/** The keys S3 sets for a listing, so a policy can scope s3:ListBucket to a prefix. */
export function listingContext(
  listing: NonNullable<RequestFacts['listing']>,
): Record<string, string> {
  const context: Record<string, string> = {};
  if (listing.prefix !== undefined) context['s3:prefix'] = listing.prefix;
  if (listing.delimiter !== undefined) context['s3:delimiter'] = listing.delimiter;
  if (listing.maxKeys !== undefined) context['s3:max-keys'] = listing.maxKeys;
  return context;
}

/**
 * node:net's isIP, required at first use: the checks import this module, and `validate`, which
 * loads them for their settings' schemas, should not pay for loading node:net.
 */
function isIP(address: string): number {
  return (createRequire(import.meta.url)('node:net') as typeof Net).isIP(address);
}
