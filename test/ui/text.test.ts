/**
 * What the screen is made of: markdown laid out for the terminal, highlighted code that keeps
 * every character, commands a student can copy, and a target line nobody can misread.
 */
import { describe, expect, it } from 'vitest';
import { highlight } from '../../src/ui/markdown/highlight.js';
import { markdownLines } from '../../src/ui/markdown/render.js';
import { headerLines, targetLine } from '../../src/ui/screen/header.js';
import fc from 'fast-check';
import { awsCliCommand, kebab } from '../../src/ui/text/aws-cli.js';
import { commandLines, splitOutsideQuotes } from '../../src/ui/text/command-lines.js';
import { lineText, lineWidth, wrapSpans, type Line } from '../../src/ui/text/lines.js';
import { colourDisabled, syntax } from '../../src/ui/theme.js';

const texts = (lines: Line[]) => lines.map(lineText);

describe('markdown in the terminal', () => {
  const markdown = [
    '# Create the role',
    '',
    'A role has **two** halves, *trust* and `permissions`. See [the docs](https://docs.aws.amazon.com/iam/).',
    '',
    '1. a trust policy',
    '2. permissions policies, which can be long enough to wrap onto a second line here',
    '',
    '- nested:',
    '  - inner item',
    '',
    '> Is listing a bucket an action on an *object*?',
    '',
    '```json',
    '{ "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::my-bucket/*" }',
    '```',
  ].join('\n');
  const lines = markdownLines(markdown, 50);

  it('renders headings, emphasis, inline code, links, lists and quotes as text with style', () => {
    const shown = texts(lines);
    expect(shown[0]).toBe('Create the role');
    expect(lines[0]![0]!.style).toMatchObject({ bold: true, underline: true });
    expect(shown).toContain('1. a trust policy');
    expect(shown.some((line) => line.startsWith('2. permissions policies'))).toBe(true);
    expect(shown.some((line) => line.startsWith('   ') && line.includes('second line'))).toBe(true);
    expect(shown).toContain('  • inner item');
    expect(shown.some((line) => line.startsWith('│ Is listing a bucket'))).toBe(true);
    const spans = lines.flat();
    expect(spans.find((span) => span.text === 'two')?.style).toMatchObject({ bold: true });
    expect(spans.find((span) => span.text === 'trust')?.style).toMatchObject({ italic: true });
    expect(spans.find((span) => span.text === 'permissions')?.style).toMatchObject({
      color: 'yellow',
    });
    expect(shown.join(' ')).toContain('(https://docs.aws.amazon.com/iam/)');
  });

  it('keeps every line of prose within the width', () => {
    const code = '{ "Effect"';
    for (const line of lines)
      if (!lineText(line).startsWith(code)) expect(lineWidth(line)).toBeLessThanOrEqual(50);
  });

  it('prints a code block exactly, from column 0, whole, without its language tag', () => {
    const shown = texts(lines);
    expect(shown).not.toContain('json');
    // Never broken inside a word: a line wider than the screen stays whole (it scrolls sideways).
    expect(shown).toContain(
      '{ "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::my-bucket/*" }',
    );
  });

  it('puts the line a caller asks for above each code block (the copy key)', () => {
    const seen: string[] = [];
    const labelled = texts(
      markdownLines('Run:\n\n```bash\naws s3 ls\n```\n\n```json\n{}\n```', 40, {
        codeLabel: (code) => {
          seen.push(code);
          return [{ text: `y${seen.length} copies this` }];
        },
      }),
    );
    expect(seen).toEqual(['aws s3 ls', '{}']);
    expect(labelled).toEqual([
      'Run:',
      '',
      'y1 copies this',
      'aws s3 ls',
      '',
      'y2 copies this',
      '{}',
    ]);
  });

  it('lays out shell code blocks as commands: broken only between words, with \\', () => {
    const command =
      'aws sagemaker create-training-job --training-job-name job --input-data-config \'[{"ChannelName":"train","ContentType":"text/csv"}]\'';
    const shown = texts(markdownLines('```bash\n' + command + '\n```', 40));
    expect(shown).toContain('  --input-data-config \\');
    expect(shown).toContain(`  '[{"ChannelName":"train","ContentType":"text/csv"}]'`);
    expect(pasted(shown.join('\n'))).toBe(command);
  });

  it("shows a table cell's inline code without its backticks", () => {
    const shown = texts(markdownLines('| key | does |\n| --- | --- |\n| `c` | checks `now` |', 40));
    expect(shown.join('\n')).not.toContain('`');
    expect(shown[0]).toBe('key  does');
    expect(shown[2]).toBe('c    checks now');
  });
});

describe('highlighting', () => {
  const samples: [string, string][] = [
    [
      'json',
      '{\n  "Version": "2012-10-17",\n  "Statement": [{ "Effect": "Allow", "Count": 3, "On": true }]\n}',
    ],
    [
      'yaml',
      'Resources:\n  Role:\n    Type: AWS::IAM::Role # the role\n    Properties:\n      RoleName: !Ref Name\n      Path: "/"',
    ],
    [
      'bash',
      'aws iam create-role --role-name "${ROLE}" \\\n  --assume-role-policy-document file://files/trust.json # create\necho $HOME | wc -l',
    ],
    [
      'python',
      "import boto3\n\ns3 = boto3.client('s3')\nfor obj in response.get('Contents', []):\n    print(obj['Key'])  # each key",
    ],
  ];

  it.each(samples)('%s keeps every character and line', (lang, code) => {
    expect(highlight(code, lang).map(lineText).join('\n')).toBe(code);
  });

  it('colours what each language means', () => {
    const style = (lang: string, code: string, text: string) =>
      highlight(code, lang)
        .flat()
        .find((span) => span.text === text)?.style;
    expect(style('json', '{ "Effect": "Allow" }', '"Effect"')).toEqual(syntax.key);
    expect(style('json', '{ "Effect": "Allow" }', '"Allow"')).toEqual(syntax.string);
    expect(style('yaml', 'Type: AWS::IAM::Role # why', '# why')).toEqual(syntax.comment);
    expect(style('yaml', 'Type: AWS::IAM::Role', 'Type')).toEqual(syntax.key);
    expect(style('bash', 'aws iam get-role --role-name X', 'aws')).toEqual(syntax.command);
    expect(style('bash', 'aws iam get-role --role-name X', '--role-name')).toEqual(syntax.flag);
    expect(style('bash', 'echo "$HOME"', '"$HOME"')).toEqual(syntax.string);
    expect(style('python', 'import boto3', 'import')).toEqual(syntax.keyword);
    expect(style('python', "s3 = boto3.client('s3')", 'client')).toEqual(syntax.function);
    expect(highlight('plain text', 'text')).toEqual([[{ text: 'plain text' }]]);
  });
});

describe('commands a student copies', () => {
  const command =
    'aws sagemaker create-notebook-instance --notebook-instance-name "My Notebook" --instance-type "ml.t2.medium" --role-arn "arn:aws:iam::000000000000:role/SageMakerExecutionRole"';

  it('stay on one line when they fit', () => {
    expect(commandLines('aws sts get-caller-identity', 80)).toEqual([
      'aws sts get-caller-identity',
    ]);
  });

  it('never break inside a word or a quoted string, whatever the width', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(word, quoted, option), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 10, max: 120 }),
        (words, width) => {
          const original = ['aws', ...words].join(' ');
          const lines = commandLines(original, width);
          expect(pasted(lines.join('\n'))).toBe(original);
          // A line wider than the screen holds one word, alone.
          for (const line of lines) {
            if (line.length > width) {
              const rest = line.replace(/ \\$/, '').trim();
              expect(splitOutsideQuotes(rest).length).toBeLessThanOrEqual(
                line.trimStart().startsWith('aws') ? 3 : 1,
              );
            }
          }
        },
      ),
    );
  });

  it('leave comments and multi-line quotes alone', () => {
    const script =
      "# a comment that is much longer than the screen is wide, and stays so\necho '\nlong long long long long long long long long\n'";
    expect(commandLines(script, 20)).toEqual(script.split('\n'));
  });

  it('break before options with backslash continuations, and paste back to the same command', () => {
    const lines = commandLines(command, 60);
    expect(lines[0]).toBe('aws sagemaker create-notebook-instance \\');
    expect(lines).toContain('  --notebook-instance-name "My Notebook" \\');
    for (const line of lines.slice(0, -1)) expect(line.endsWith(' \\')).toBe(true);
    for (const line of lines) expect(line).not.toMatch(/[│┃║─━═┌┐└┘]/);
    // What bash reads after joining the continuations.
    expect(pasted(lines.join('\n'))).toBe(command);
  });
});

describe('the aws CLI form of an action', () => {
  it("uses the CLI's service name and kebab-case operation and options", () => {
    expect(awsCliCommand('s3:DeleteBucketPolicy', { Bucket: 'my-bucket' })).toBe(
      'aws s3api delete-bucket-policy --bucket my-bucket',
    );
    expect(awsCliCommand('sts:GetCallerIdentity', {})).toBe('aws sts get-caller-identity');
    expect(
      awsCliCommand('iam:PutRolePolicy', {
        RoleName: 'R',
        PolicyName: 'P',
        PolicyDocument: { file: 'files/p.json' },
      }),
    ).toBe(
      'aws iam put-role-policy --role-name R --policy-name P --policy-document file://files/p.json',
    );
    expect(
      awsCliCommand('s3:PutObject', { Bucket: 'b', Key: 'k', Body: { file: 'files/t.csv' } }),
    ).toBe('aws s3api put-object --bucket b --key k --body files/t.csv');
    expect(awsCliCommand('logs:CreateLogGroup', { logGroupName: '/a b' })).toBe(
      "aws logs create-log-group --log-group-name '/a b'",
    );
    expect(awsCliCommand('sagemaker:StopNotebookInstance', { NotebookInstanceName: 'n' })).toBe(
      'aws sagemaker stop-notebook-instance --notebook-instance-name n',
    );
    expect(awsCliCommand('iam:TagRole', { RoleName: 'R', Tags: [{ Key: 'a', Value: 'b' }] })).toBe(
      'aws iam tag-role --role-name R --tags \'[{"Key":"a","Value":"b"}]\'',
    );
    expect(kebab('DBInstanceIdentifier')).toBe('db-instance-identifier');
  });

  it('gives nothing rather than something wrong', () => {
    expect(awsCliCommand('s3:PutObject', { Body: { nested: { file: 'x' } } })).toBeUndefined();
  });
});

/** What bash reads: continuations joined (a `\` at the end of a line and the next line's indent). */
function pasted(text: string): string {
  return text.replace(/ \\\n */g, ' ');
}

const word = fc.stringMatching(/^[a-z0-9:/=,.*-]{1,40}$/);
const quoted = fc.stringMatching(/^[a-z0-9 :{}",[\]]{0,60}$/).map((text) => `'${text}'`);
const option = fc.stringMatching(/^--[a-z]{1,20}(-[a-z]{1,10})?$/);

describe('the target line', () => {
  it('says SANDBOX with its endpoint', () => {
    const line = lineText(
      targetLine({
        kind: 'sandbox',
        endpoint: 'http://127.0.0.1:4566',
        region: 'us-east-1',
        account: '000000000000',
        partition: 'aws',
      }),
    );
    expect(line).toContain('SANDBOX');
    expect(line).toContain('http://127.0.0.1:4566');
  });

  it('says REAL AWS and the account in the warning colour, and keeps it when the line is cut', () => {
    const target = {
      kind: 'aws' as const,
      region: 'eu-west-1',
      account: '123456789012',
      partition: 'aws',
      profile: 'dev',
    };
    const spans = targetLine(target);
    expect(lineText(spans)).toMatch(/^ REAL AWS {2}account 123456789012 · eu-west-1 · profile dev/);
    expect(spans.find((span) => span.text === '123456789012')?.style).toMatchObject({
      color: 'yellow',
      bold: true,
    });
    const [, narrow] = headerLines('A lab', target, 0, 100, 40);
    expect(lineText(narrow!)).toContain('REAL AWS  account 123456789012');
    expect(lineWidth(narrow!)).toBeLessThanOrEqual(40);
  });

  it('says LOCAL ENDPOINT for LocalStack-compatible targets', () => {
    const line = lineText(
      targetLine({
        kind: 'endpoint',
        endpoint: 'http://localhost:4566',
        region: 'us-east-1',
        account: '000000000000',
        partition: 'aws',
      }),
    );
    expect(line).toMatch(/^ LOCAL ENDPOINT {2}http:\/\/localhost:4566/);
  });
});

describe('wrapping', () => {
  it('wraps words, indents the rest under a prefix, and splits a word longer than the line', () => {
    const lines = wrapSpans([{ text: 'alpha beta gamma delta epsilon ' + 'x'.repeat(30) }], 20, {
      firstPrefix: [{ text: '• ' }],
    });
    expect(texts(lines)).toEqual([
      '• alpha beta gamma',
      '  delta epsilon',
      '  xxxxxxxxxxxxxxxxxx',
      '  xxxxxxxxxxxx',
    ]);
  });
});

describe('NO_COLOR', () => {
  it('is honoured when set to anything but empty', () => {
    expect(colourDisabled({ NO_COLOR: '1' })).toBe(true);
    expect(colourDisabled({ NO_COLOR: '' })).toBe(false);
    expect(colourDisabled({})).toBe(false);
  });
});
