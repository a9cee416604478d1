/**
 * AWS's errors, in one place. Every AWS service that validates its input against its model says
 * so with the same sentence, `1 validation error detected: Value 'x' at 'member' failed to
 * satisfy constraint: Member must ...`; only the error code differs by protocol (IAM and STS
 * `ValidationError`, most JSON services `ValidationException`, CloudWatch Logs
 * `InvalidParameterException`).
 */
import { AwsError } from '../types.js';

/** The `Member must ...` half of a validation message, as AWS words each kind of constraint. */
export const constraint = {
  notNull: 'Member must not be null',
  pattern: (pattern: string) => `Member must satisfy regular expression pattern: ${pattern}`,
  enum: (allowed?: readonly string[]) =>
    allowed
      ? `Member must satisfy enum value set: [${allowed.join(', ')}]`
      : 'Member must satisfy enum value set',
  integer: 'Member must be an integer',
  atLeast: (min: number) => `Member must have value greater than or equal to ${min}`,
  atMost: (max: number) => `Member must have value less than or equal to ${max}`,
  between: (min: number, max: number) => `Member must have value between ${min} and ${max}`,
  lengthAtLeast: (min: number) => `Member must have length greater than or equal to ${min}`,
  lengthAtMost: (max: number) => `Member must have length less than or equal to ${max}`,
  /** A value outside `min..max`: the bound it crossed. */
  inRange: (value: number, min: number, max: number) =>
    value < min ? constraint.atLeast(min) : constraint.atMost(max),
  /** A length outside `min..max`: the bound it crossed. */
  lengthInRange: (length: number, min: number, max: number) =>
    length < min ? constraint.lengthAtLeast(min) : constraint.lengthAtMost(max),
} as const;

/**
 * `member` is the wire name AWS reports (camelCase: `roleArn`, `maxItems`); a null or undefined
 * value reads `Value null`, anything else `Value '<value>'`.
 */
export function validationError(
  member: string,
  value: unknown,
  must: string,
  code = 'ValidationException',
): AwsError {
  const shown = value === null || value === undefined ? 'null' : `'${String(value)}'`;
  return new AwsError(
    code,
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${must}`,
  );
}

/** A member's wire name from its model name: `RoleArn` -> `roleArn`. */
export function wireName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
