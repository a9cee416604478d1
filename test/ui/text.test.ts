/**
 * What the screen is made of: markdown laid out for the terminal, highlighted code that keeps
 * every character, commands a student can copy, and a target line nobody can misread.
 */
import { describe, expect, it } from 'vitest';
import { highlight } from '../../src/ui/markdown/highlight.js';
import { markdownLines } from '../../src/ui/markdown/render.js';
import { headerLines, targetLine } from '../../src/ui/screen/header.js';
import { commandLines } from '../../src/ui/text/command-lines.js';
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

  it('keeps every line within the width', () => {
    for (const line of lines) expect(lineWidth(line)).toBeLessThanOrEqual(50);
  });

  it('prints a code block exactly, from column 0, under its language', () => {
    const shown = texts(lines);
    const at = shown.indexOf('json');
    expect(at).toBeGreaterThan(0);
    const code = shown.slice(at + 1).join('');
    expect(code).toBe(
      '{ "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::my-bucket/*" }',
    );
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

  it('break before options with backslash continuations, and paste back to the same command', () => {
    const lines = commandLines(command, 60);
    expect(lines[0]).toBe('aws sagemaker create-notebook-instance \\');
    expect(lines).toContain('  --notebook-instance-name "My Notebook" \\');
    for (const line of lines.slice(0, -1)) expect(line.endsWith(' \\')).toBe(true);
    for (const line of lines) expect(line).not.toMatch(/[│┃║─━═┌┐└┘]/);
    // What bash reads after joining the continuations.
    const pasted = lines.join('\n').replace(/ \\\n {2}/g, ' ');
    expect(pasted).toBe(command);
  });
});

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
