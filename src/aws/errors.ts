import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { Target } from './target.js';

/**
 * Problems with the target itself, as sentences a student can act on. TargetError means the
 * target could not be reached or refused the credentials (exit 3); TargetOptionError means the
 * target options were wrong (exit 2). Neither is ever shown with a stack trace.
 */

export class TargetError extends Error {
  override name = 'TargetError';
  readonly exitCode = 3;
}

export class TargetOptionError extends Error {
  override name = 'TargetOptionError';
  readonly exitCode = 2;
}

/**
 * The target refused an operation to labwright's own identity: the checker lacks a permission.
 * Keeps the AWS error code as its name, so code that tests `error.name` still sees AccessDenied.
 */
export class CheckerPermissionError extends Error {
  constructor(
    readonly code: string,
    readonly action: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const CREDENTIAL_CODES = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'AuthFailure',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
]);

const PERMISSION_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Forbidden',
]);

const UNSUPPORTED_CODES = new Set([
  'NotImplemented',
  'NotImplementedException',
  'UnknownOperation',
  'UnknownOperationException',
  'InvalidAction',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  errors?: ErrorLike[];
  $metadata?: { httpStatusCode?: number };
}

/**
 * The HTTP reason of an error the target answered without a body: S3 answers a HEAD request
 * (HeadObject, HeadBucket) with a status only, and the SDK then says "UnknownError". AWS's text,
 * as the aws CLI shows it, is the reason: "Not Found", "Forbidden".
 */
function bodilessReason(error: unknown): string | undefined {
  const e = error as ErrorLike;
  const status = e?.$metadata?.httpStatusCode;
  if (e?.message !== 'UnknownError' || status === undefined) return undefined;
  // Required here, not imported: node:http (and node:net) take longer to load than `validate`,
  // which loads this module with the checks, may spend; an answer came over HTTP, so it is loaded.
  const http = createRequire(import.meta.url)('node:http') as typeof Http;
  return http.STATUS_CODES[status];
}

/** The error's message: AWS's text, also for an answer without a body. */
export function errorMessage(error: unknown): string {
  const reason = bodilessReason(error);
  if (reason) return reason;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * The AWS error code of an SDK error, or a Node network code. The wire code (`Code`) is what
 * AWS documents (NoSuchEntity); the SDK's class name may differ (NoSuchEntityException). An
 * answer without a body has the code the SDK gave it (a 404 is NotFound) or its reason
 * (Forbidden).
 */
export function errorCode(error: unknown): string {
  const e = error as ErrorLike;
  if (e?.code && NETWORK_CODES.has(e.code)) return e.code;
  const reason = bodilessReason(error);
  if (reason && !e.Code && (!e.name || /^(Error|Unknown(Error)?|\d+)$/.test(e.name))) {
    return reason.replace(/[^A-Za-z]/g, '');
  }
  return e?.Code ?? e?.name ?? 'Error';
}

/** Every name an AWS error goes by: its wire code, its SDK name, and that name without "Exception". */
export function errorCodes(error: unknown): string[] {
  const e = error as ErrorLike;
  const names = [errorCode(error), e?.name ?? ''];
  if (e?.name?.endsWith('Exception')) names.push(e.name.slice(0, -'Exception'.length));
  return [...new Set(names.filter(Boolean))];
}

export function isNetworkError(error: unknown): boolean {
  const e = error as ErrorLike;
  if (!e || typeof e !== 'object') return false;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError' && !e.$metadata?.httpStatusCode) return true;
  return Array.isArray(e.errors) && e.errors.some((inner) => isNetworkError(inner));
}

/**
 * The target does not implement the operation. It says so (NotImplemented, UnknownOperation,
 * InvalidAction; LocalStack answers 501), or answers with a server error page instead of the
 * protocol: moto does that for every operation it lacks (CloudTrail LookupEvents), and the SDK
 * then fails to read the page (a SyntaxError for JSON protocols, "XML parse error" for the rest).
 */
export function isUnsupportedOperation(error: unknown): boolean {
  const codes = errorCodes(error);
  if (codes.some((code) => UNSUPPORTED_CODES.has(code))) return true;
  const status = (error as ErrorLike)?.$metadata?.httpStatusCode;
  if (status === 501) return true;
  if (status === undefined || status < 500) return false;
  const message = (error as ErrorLike)?.message ?? '';
  return error instanceof SyntaxError || /Deserialization error|XML parse error/.test(message);
}

export function isPermissionError(error: unknown): boolean {
  return errorCodes(error).some((code) => PERMISSION_CODES.has(code));
}

/**
 * Turns an error from calling the target into a TargetError when the target itself is the
 * problem (unreachable, credentials refused or missing, SSO session expired); otherwise undefined.
 */
export function explainTargetError(error: unknown, target: Target): TargetError | undefined {
  const e = error as ErrorLike;
  const where = target.kind === 'aws' ? 'AWS' : target.endpoint;
  if (isNetworkError(error)) {
    if (target.kind === 'aws') {
      return new TargetError(
        `AWS cannot be reached (${e.code ?? e.name}): check your network connection`,
      );
    }
    if (target.kind === 'sandbox') {
      return new TargetError(
        `the sandbox at ${where} stopped answering (${e.code ?? e.name}): start it again with \`labwright sandbox\``,
      );
    }
    return new TargetError(
      `nothing answers at ${where}: is LocalStack running? \`labwright sandbox\` starts a local one`,
    );
  }
  if (e?.message === 'Region is missing') {
    const whose =
      target.kind === 'aws' && target.profile ? `profile ${target.profile}` : 'your profile';
    return new TargetError(
      `no AWS region is set: use --region NAME, set AWS_REGION, or give ${whose} a region`,
    );
  }
  const codes = errorCodes(error);
  const code = codes.find((name) => CREDENTIAL_CODES.has(name)) ?? errorCode(error);
  const message = firstLine(e?.message ?? String(error));
  const profile = target.kind === 'aws' ? target.profile : undefined;
  if (isSsoExpired(error)) {
    return new TargetError(
      `your AWS SSO session has expired or is missing: run \`aws sso login${profile ? ` --profile ${profile}` : ''}\`, then try again`,
    );
  }
  if (code === 'CredentialsProviderError' || code === 'ProviderError') {
    return new TargetError(
      profile
        ? `no AWS credentials for profile ${profile}: ${message}`
        : `no AWS credentials found: set AWS_PROFILE or use --profile NAME (run \`aws configure\` or \`aws sso login\` first)`,
    );
  }
  if (CREDENTIAL_CODES.has(code)) {
    if (target.kind !== 'aws') {
      return new TargetError(
        `${where} refused the credentials (${code}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or unset them to use test/test`,
      );
    }
    const whose = profile ? `the credentials of profile ${profile}` : 'your AWS credentials';
    if (code === 'ExpiredToken' || code === 'ExpiredTokenException' || code === 'RequestExpired') {
      const login = profile ? `run \`aws sso login --profile ${profile}\` or ` : '';
      return new TargetError(
        `${whose} have expired (${code}): ${login}refresh them, then try again`,
      );
    }
    return new TargetError(`AWS refused ${whose} (${code}): check the access key and secret`);
  }
  return undefined;
}

function isSsoExpired(error: unknown): boolean {
  const e = error as ErrorLike;
  const text = `${e?.name ?? ''} ${e?.message ?? ''}`;
  return (
    /TokenProviderError|SSOTokenProviderFailure|UnauthorizedException/.test(e?.name ?? '') ||
    (/\bSSO\b|sso_|sso session/i.test(text) && /expired|refresh|login|token/i.test(text))
  );
}

/** "labwright's identity may not call iam:GetRole": the checker lacks a permission. */
export function checkerPermissionError(
  error: unknown,
  service: string,
  operation: string,
  identity?: string,
): CheckerPermissionError {
  const action = `${service}:${operation}`;
  const who = identity ? `labwright's identity (${identity})` : "labwright's identity";
  const detail = firstLine((error as ErrorLike)?.message ?? '');
  return new CheckerPermissionError(
    errorCode(error),
    action,
    `${who} is not allowed to call ${action}, which this check needs: grant it to the user or profile labwright runs as${detail ? ` (AWS said: ${detail})` : ''}`,
  );
}

export function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
