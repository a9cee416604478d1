/** CloudFormation's short-form tags read as CloudFormation reads them. */
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../checks/cfn/parse-template.js';
import { resolveIntrinsics } from '../../checks/cfn/resolve-intrinsics.js';

const TEMPLATE = `Parameters:
  Bucket: { Type: String, Default: my-bucket }
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join ["-", [!Ref "AWS::Region", sagemaker]]
      Description: !If
        - IsProd
        - production
        - !Sub "\${AWS::AccountId} test"
      Tags:
        - Key: arn
          Value: !GetAtt Role.Arn
      Resource: !Sub
        - "arn:\${AWS::Partition}:s3:::\${Name}/*"
        - Name: !Ref Bucket
`;

describe('parseTemplate', () => {
  it('turns short tags into long forms, on scalars, sequences and maps', () => {
    const parsed = parseTemplate(TEMPLATE, 'template.yaml');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const props = (
      parsed.template.Resources as Record<string, { Properties: Record<string, unknown> }>
    ).Role!.Properties;
    expect(props.RoleName).toEqual({ 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, 'sagemaker']] });
    expect(props.Description).toEqual({
      'Fn::If': ['IsProd', 'production', { 'Fn::Sub': '${AWS::AccountId} test' }],
    });
    expect(props.Tags).toEqual([{ Key: 'arn', Value: { 'Fn::GetAtt': ['Role', 'Arn'] } }]);

    const scope = {
      account: '000000000000',
      region: 'us-east-1',
      partition: 'aws',
      parameters: { Bucket: 'my-bucket' },
    };
    expect(resolveIntrinsics(props.RoleName, scope)).toBe('us-east-1-sagemaker');
    expect(resolveIntrinsics(props.Resource, scope)).toBe('arn:aws:s3:::my-bucket/*');
  });

  it('reports syntax errors at file:line:col', () => {
    const parsed = parseTemplate('Resources:\n  Role: [\n', 'role.yaml');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems[0]).toMatch(/^role\.yaml:\d+:\d+: /);
  });

  it('reads JSON templates too', () => {
    const parsed = parseTemplate('{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}', 't.json');
    expect(parsed.ok && parsed.template.Resources).toEqual({ R: { Type: 'AWS::IAM::Role' } });
  });
});
