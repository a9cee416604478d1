/**
 * How labwright acts as an AWS service on its embedded sandbox, and nowhere else: a request
 * signed with a service key below is made by that service principal. It may only call
 * sts:AssumeRole, which then assumes the role as the service does (SageMaker giving a notebook
 * its execution role's session): the role's trust policy must allow the service, the session is
 * `invokedBy` it, and CloudTrail records the call as the service's (`AWSService`).
 *
 * It grants nothing new: any other key is the account root, which could change the trust policy
 * anyway. And it is journaled like any call: the record names the access key, so replaying it
 * assumes the role as the same service again.
 */

/** Access key id → the service principal it speaks as. */
const SERVICE_KEYS: Readonly<Record<string, string>> = Object.freeze({
  LABWRIGHTSAGEMAKER: 'sagemaker.amazonaws.com',
});

/** The access key id that speaks as `servicePrincipal`, if the sandbox has one. */
export function serviceKeyFor(servicePrincipal: string): string | undefined {
  return Object.keys(SERVICE_KEYS).find((key) => SERVICE_KEYS[key] === servicePrincipal);
}

/** The service principal an access key speaks as, or undefined for any other key. */
export function servicePrincipalOf(accessKeyId: string): string | undefined {
  return Object.hasOwn(SERVICE_KEYS, accessKeyId) ? SERVICE_KEYS[accessKeyId] : undefined;
}

/** What a service key may call: only the role session it exists to get. */
export function serviceKeyMayCall(service: string, operation: string): boolean {
  return service === 'sts' && operation === 'AssumeRole';
}
