/** The shared IAM evaluator: decisions, the deciding statement, reasons, and validation. */
import { describe, expect, it } from 'vitest';
import { denialMessage, evaluateRequest, validatePolicyDocument } from '../../src/iam/index.js';

const session = 'arn:aws:sts::000000000000:assumed-role/R/S';
const doc = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b/secret/*' },
  ],
};
const base = {
  principalArn: session,
  accountId: '000000000000',
  identityPolicies: [{ name: 'p', document: doc }],
};

describe('evaluateRequest', () => {
  it('allows, naming the statement that allowed', async () => {
    const result = await evaluateRequest({
      ...base,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
    });
    expect(result.decision).toBe('allowed');
    expect(result.decidedBy).toMatchObject({
      policyType: 'identity',
      policyName: 'p',
      statementIndex: 1,
      sid: 'Read',
    });
  });

  it('denies implicitly, with per-statement analysis for explanations', async () => {
    const result = await evaluateRequest({
      ...base,
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::b',
    });
    expect(result.decision).toBe('implicitDeny');
    expect(result.denyReason).toBe('no identity-based policy allows');
    const read = result.statements.find((s) => s.sid === 'Read');
    expect(read).toMatchObject({ applies: false, actionMatch: false, effect: 'Allow' });
  });

  it('denies explicitly, naming the deny statement', async () => {
    const result = await evaluateRequest({
      ...base,
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/secret/x',
    });
    expect(result.decision).toBe('explicitDeny');
    expect(result.denyReason).toBe('explicit deny in an identity-based policy');
    expect(result.decidedBy).toMatchObject({ statementIndex: 2, sid: 'NoSecrets' });
  });

  it('lets a resource policy grant a session in the same account', async () => {
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:role/R' },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::b',
        },
      ],
    };
    const result = await evaluateRequest({
      ...base,
      resourcePolicy: bucketPolicy,
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::b',
    });
    expect(result.decision).toBe('allowed');
    expect(result.decidedBy?.policyType).toBe('resource');
  });

  it('treats the account root as holding every permission', async () => {
    const result = await evaluateRequest({
      principalArn: 'arn:aws:iam::000000000000:root',
      accountId: '000000000000',
      identityPolicies: [],
      isRoot: true,
      action: 'iam:DeleteRole',
      resource: 'arn:aws:iam::000000000000:role/R',
    });
    expect(result.decision).toBe('allowed');
  });
});

describe('denialMessage', () => {
  it('writes AWS’s text, quoting S3 resources', () => {
    expect(
      denialMessage({
        principalArn: session,
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::my-bucket',
        reason: 'no identity-based policy allows',
        quoteResource: true,
      }),
    ).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/R/S is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket" because no identity-based policy allows the s3:ListBucket action',
    );
  });
});

describe('validatePolicyDocument', () => {
  it('accepts a valid policy and reports problems in broken ones', () => {
    expect(validatePolicyDocument(JSON.stringify(doc))).toEqual([]);
    expect(validatePolicyDocument('{nope')[0]?.message).toMatch(/^Syntax errors in policy/);
    const problems = validatePolicyDocument({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Maybe', Action: 's3:*' }],
    });
    expect(problems.map((p) => p.path)).toContain('Statement[0].Effect');
    expect(
      validatePolicyDocument(
        { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] },
        'trust',
      ).length,
    ).toBeGreaterThan(0);
  });
});
