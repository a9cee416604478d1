/** AWS's wording for authorization failures, so students see the text AWS would show them. */

export type DenyReason =
  | 'no identity-based policy allows'
  | 'explicit deny in an identity-based policy'
  | 'no resource-based policy allows'
  | 'explicit deny in a resource-based policy';

/**
 * `User: <arn> is not authorized to perform: <action> on resource: <resource> because no
 * identity-based policy allows the <action> action` (S3 quotes the resource, IAM/STS do not).
 */
export function denialMessage(args: {
  principalArn: string;
  action: string;
  resource: string;
  reason: DenyReason;
  quoteResource?: boolean;
}): string {
  const resource = args.quoteResource ? `"${args.resource}"` : args.resource;
  const head = `User: ${args.principalArn} is not authorized to perform: ${args.action} on resource: ${resource}`;
  switch (args.reason) {
    case 'no identity-based policy allows':
      return `${head} because no identity-based policy allows the ${args.action} action`;
    case 'no resource-based policy allows':
      return `${head} because no resource-based policy allows the ${args.action} action`;
    case 'explicit deny in an identity-based policy':
      return `${head} with an explicit deny in an identity-based policy`;
    case 'explicit deny in a resource-based policy':
      return `${head} with an explicit deny in a resource-based policy`;
  }
}
