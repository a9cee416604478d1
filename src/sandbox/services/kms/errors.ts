/**
 * KMS's errors, named as the service names them (all 400, JSON 1.1 `__type`), with the texts
 * AWS KMS (and moto, where it copies them) gives.
 */
import { AwsError } from '../../types.js';

export const notFound = (message: string) => new AwsError('NotFoundException', message);

/** DescribeKey and friends on a key id or ARN no key has. */
export const keyNotFound = (keyArn: string) => notFound(`Key '${keyArn}' does not exist`);

export const aliasNotFound = (aliasArn: string) => notFound(`Alias ${aliasArn} is not found.`);

/** A KeyId that is neither a key id, a key ARN, an alias name nor an alias ARN. */
export const invalidKeyId = (keyId: string) => notFound(`Invalid keyId ${keyId}`);

export const disabled = (keyArn: string) =>
  new AwsError('DisabledException', `${keyArn} is disabled.`);

export const invalidState = (message: string) => new AwsError('KMSInvalidStateException', message);

export const pendingDeletion = (keyArn: string) => invalidState(`${keyArn} is pending deletion.`);

export const notPendingDeletion = (keyArn: string) =>
  invalidState(`${keyArn} is not pending deletion.`);

/** A ciphertext that is not one, was altered, or is opened with another encryption context. */
export const invalidCiphertext = () => new AwsError('InvalidCiphertextException', '');

/** Decrypt given a KeyId that is not the key the ciphertext was encrypted under. */
export const incorrectKey = () =>
  new AwsError(
    'IncorrectKeyException',
    'The key ID in the request does not identify a CMK that can perform this operation.',
  );

export const alreadyExists = (message: string) => new AwsError('AlreadyExistsException', message);

export const validation = (message: string) => new AwsError('ValidationException', message);

/** AWS's standard one-member validation text. */
export const memberValidation = (member: string, value: unknown, constraint: string) =>
  validation(
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );

export const malformedPolicy = (message: string) =>
  new AwsError('MalformedPolicyDocumentException', message);

/** Aliases under alias/aws/ belong to AWS managed keys. */
export const notAuthorized = () => new AwsError('NotAuthorizedException', '');

export const unsupportedOperation = (message: string) =>
  new AwsError('UnsupportedOperationException', message);
