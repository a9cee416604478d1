import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoster } from '../../src/grade/roster.js';

const options = {
  file: 'roster.csv',
  labId: 'sagemaker-iam-roles',
  labVars: new Set(['roleName', 'bucket']),
  baseDir: path.resolve(import.meta.dirname, 'fixtures'),
};
const parse = (text: string) => parseRoster(text, options);
const problems = (text: string) => {
  const result = parse(text);
  if (result.ok) throw new Error('expected the roster to be refused');
  return result.problems;
};

describe('roster', () => {
  it('reads each way of reaching a student, the region and lab variables', () => {
    const result = parse(
      [
        '\uFEFFid,endpoint,profile,role_arn,external_id,region,roleName',
        'ana,http://127.0.0.1:4566/,,,,,',
        'ben,,ben-sso,,,eu-west-1,SageMakerRole-ben',
        '"chen, li",,,arn:aws:iam::123456789012:role/Grader,ext-42,,',
      ].join('\r\n'),
    );
    expect(result).toEqual({
      ok: true,
      students: [
        {
          id: 'ana',
          line: 2,
          access: { kind: 'endpoint', endpoint: 'http://127.0.0.1:4566' },
          vars: {},
        },
        {
          id: 'ben',
          line: 3,
          access: { kind: 'profile', profile: 'ben-sso' },
          region: 'eu-west-1',
          vars: { roleName: 'SageMakerRole-ben' },
        },
        {
          id: 'chen, li',
          line: 4,
          access: {
            kind: 'role',
            roleArn: 'arn:aws:iam::123456789012:role/Grader',
            externalId: 'ext-42',
          },
          vars: {},
        },
      ],
    });
  });

  it('skips blank and comment lines and counts lines as an editor does', () => {
    const result = parse('id,endpoint\n# first group\n\nana,http://localhost:4566\n');
    expect(result.ok && result.students.map((s) => s.line)).toEqual([4]);
  });

  it('names the line of every problem at once', () => {
    expect(
      problems(
        [
          'id,endpoint,profile,role_arn',
          'ana,http://localhost:4566,,',
          'ana,http://localhost:4567,,',
          'ben,,,',
          'chen,http://localhost:4566,chen,',
          'dee,localhost:4566,,',
          'eve,,,arn:aws:iam::12:user/eve',
          ',http://localhost:4566,,',
          'fay,http://localhost:4566',
        ].join('\n'),
      ),
    ).toEqual([
      'roster.csv:3: student id "ana" is already used on line 2',
      'roster.csv:4: student ben has no endpoint, profile, role_arn or submission: give exactly one',
      'roster.csv:5: student chen has endpoint and profile: give exactly one of endpoint, profile, role_arn or submission',
      'roster.csv:6: student dee: endpoint "localhost:4566" is not an http:// or https:// URL',
      'roster.csv:7: student eve: role_arn "arn:aws:iam::12:user/eve" is not a role ARN like arn:aws:iam::123456789012:role/Grader',
      'roster.csv:8: the student id is empty',
      'roster.csv:9: this row has 2 fields, the header has 4',
    ]);
  });

  it('refuses a header without id, without a way to reach students, or with unknown variables', () => {
    expect(problems('name,endpoint\nana,http://localhost:4566\n')).toEqual([
      'roster.csv:1: column "name" is not a variable of lab sagemaker-iam-roles (its variables: roleName, bucket; roster columns: id, endpoint, profile, role_arn, submission, external_id, region, dir)',
      'roster.csv:1: the header has no "id" column',
    ]);
    expect(problems('id,region\nana,us-east-1\n')).toEqual([
      'roster.csv:1: the header needs a column saying how to reach each student: endpoint, profile, role_arn or submission',
    ]);
    expect(problems('id,endpoint,account\nana,http://localhost:4566,1\n')).toEqual([
      'roster.csv:1: column "account" cannot be set by a roster: the student\'s target supplies it',
    ]);
  });

  it('refuses a bad region, an external id without a role, an empty roster and broken quoting', () => {
    expect(problems('id,endpoint,region\nana,http://localhost:4566,Virginia\n')).toEqual([
      'roster.csv:2: student ana: "Virginia" is not an AWS region name like us-east-1',
    ]);
    expect(problems('id,profile,external_id\nana,ana,abc\n')).toEqual([
      'roster.csv:2: student ana has an external_id but no role_arn: an external id goes with a role to assume',
    ]);
    expect(problems('')).toEqual([
      'roster.csv:1: the roster is empty: it needs a header row (id, endpoint|profile|role_arn, ...) and a row per student',
    ]);
    expect(problems('id,endpoint\n')).toEqual([
      'roster.csv:1: the roster has a header but no students',
    ]);
    expect(problems('id,endpoint\nana,"http://localhost:4566\n')[0]).toMatch(
      /^roster\.csv:2: not valid CSV: /,
    );
  });

  it('keeps the lab default when a variable cell is blank', () => {
    const result = parse(
      'id,endpoint,bucket\nana,http://localhost:4566,\nben,http://localhost:4567,ben-bucket\n',
    );
    expect(result.ok && result.students.map((s) => s.vars)).toEqual([{}, { bucket: 'ben-bucket' }]);
  });

  it("resolves each student's dir from the roster's folder, and refuses one that is not a folder", () => {
    const result = parse(
      ['id,endpoint,dir', 'ana,http://localhost:4566,.', 'ben,http://localhost:4566,'].join('\n'),
    );
    expect(result.ok && result.students.map((s) => s.dir)).toEqual([options.baseDir, undefined]);
    expect(
      problems(['id,endpoint,dir', 'ana,http://localhost:4566,no-such-folder'].join('\n')),
    ).toEqual([
      `roster.csv:2: student ana: dir "no-such-folder" is not a folder (relative to the roster's folder)`,
    ]);
  });
});
