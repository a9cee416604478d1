/**
 * The Terraform reader on its own (no AWS): HCL's escapes, where values come from (defaults,
 * terraform.tfvars, locals, literal resource attributes, data sources), what it refuses to
 * guess (with the expression and its line), and syntax errors across files at file:line:col.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTerraform, type TerraformConfig } from '../../checks/terraform/config.js';
import { Evaluator, Unresolvable } from '../../checks/terraform/evaluate.js';
import { HclSyntaxError, syntaxProblems } from '../../checks/terraform/hcl.js';

const SCOPE = { account: '123456789012', region: 'eu-west-1', partition: 'aws' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'labwright-tf-eval-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(files: Record<string, string>): Promise<TerraformConfig> {
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return readTerraform(dir, dir);
}

/** The value of `local.<name>`, as a reference to it evaluates. */
async function local(c: TerraformConfig, name: string): Promise<unknown> {
  const evaluator = new Evaluator(c, SCOPE);
  return evaluator.value(`\${local.${name}}`, c.locals.get(name)!.place);
}

describe('the Terraform reader', () => {
  it("reads HCL's escapes: $${ is a literal ${, \\n a newline, in quotes and heredocs", async () => {
    const c = await config({
      'main.tf': [
        'locals {',
        '  quoted  = "a\\"b\\n$${aws:username} ${var.x}"',
        '  heredoc = <<EOT',
        '  $${aws:username} "${var.x}"',
        'EOT',
        '  plain   = "$${literal}"',
        '}',
        'variable "x" { default = "X" }',
      ].join('\n'),
    });
    expect(await local(c, 'quoted')).toBe('a"b\n${aws:username} X');
    expect(await local(c, 'heredoc')).toBe('  ${aws:username} "X"\n');
    expect(await local(c, 'plain')).toBe('${literal}');
  });

  it('takes terraform.tfvars over a default, and keeps types through "${...}"', async () => {
    const c = await config({
      'main.tf': [
        'variable "bucket" { default = "from-default" }',
        'variable "arns" { default = ["a", "b"] }',
        'locals {',
        '  bucket = var.bucket',
        '  arns   = "${var.arns}"',
        '  doc    = jsonencode({ Resource = ["arn:aws:s3:::${var.bucket}"], n = 1 })',
        '}',
      ].join('\n'),
      'terraform.tfvars': 'bucket = "from-tfvars"\n',
    });
    expect(await local(c, 'bucket')).toBe('from-tfvars');
    expect(await local(c, 'arns')).toEqual(['a', 'b']);
    expect(JSON.parse(String(await local(c, 'doc')))).toEqual({
      Resource: ['arn:aws:s3:::from-tfvars'],
      n: 1,
    });
  });

  it('resolves literal resource attributes, the account, region and partition, and file()', async () => {
    await writeFile(path.join(dir, 'policy.json'), '{"Version":"2012-10-17"}');
    const c = await config({
      'main.tf': [
        'resource "aws_s3_bucket" "data" { bucket = "my-bucket" }',
        'data "aws_caller_identity" "me" {}',
        'data "aws_region" "here" {}',
        'data "aws_partition" "p" {}',
        'locals {',
        '  bucket_arn = aws_s3_bucket.data.arn',
        '  where      = "${data.aws_partition.p.partition}:${data.aws_region.here.name}:${data.aws_caller_identity.me.account_id}"',
        '  policy     = file("${path.module}/policy.json")',
        '}',
      ].join('\n'),
    });
    expect(await local(c, 'bucket_arn')).toBe('arn:aws:s3:::my-bucket');
    expect(await local(c, 'where')).toBe('aws:eu-west-1:123456789012');
    expect(await local(c, 'policy')).toBe('{"Version":"2012-10-17"}');
  });

  it('renders a policy document data source as the AWS provider does', async () => {
    const c = await config({
      'main.tf': [
        'data "aws_iam_policy_document" "d" {',
        '  statement {',
        '    sid       = "Own"',
        '    actions   = ["s3:GetObject"]',
        '    resources = ["arn:aws:s3:::b/home/&{aws:username}/*"]',
        '    condition {',
        '      test     = "StringEquals"',
        '      variable = "aws:RequestedRegion"',
        '      values   = ["eu-west-1"]',
        '    }',
        '  }',
        '  statement {',
        '    effect  = "Deny"',
        '    actions = ["sts:AssumeRole"]',
        '    principals {',
        '      type        = "*"',
        '      identifiers = ["*"]',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    });
    const evaluator = new Evaluator(c, SCOPE);
    expect(await evaluator.policyDocument(c.data[0]!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Own',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::b/home/${aws:username}/*'],
          Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1'] } },
        },
        { Effect: 'Deny', Action: ['sts:AssumeRole'], Principal: '*' },
      ],
    });
  });

  it.each([
    ['  x = [for s in ["a"] : upper(s)]', '[for s in ["a"] : upper(s)]', 'main.tf:3'],
    ['  x = module.iam.policy_arn', 'module.iam.policy_arn', 'main.tf:3'],
    ['  x = "${var.missing}"', 'var.missing', 'main.tf:3'],
    ['  x = templatefile("p.tpl", {})', 'templatefile("p.tpl", {})', 'main.tf:3'],
    ['  x = aws_iam_role.r.unique_id', 'aws_iam_role.r.unique_id', 'main.tf:3'],
  ])('cannot judge `%s`, and says what and where', async (line, expression, at) => {
    const c = await config({
      'main.tf': ['resource "aws_iam_role" "r" { name = "R" }', 'locals {', line, '}'].join('\n'),
    });
    const error = await local(c, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unresolvable);
    expect((error as Unresolvable).message).toContain(`cannot judge ${expression} at ${at}`);
  });

  it("reports every file's syntax errors at file:line:col", async () => {
    const error = await config({
      'a.tf': 'resource "aws_iam_role" "r" {\n  name = \n}\n',
      'b.tf': 'locals {\n  x = "unclosed\n}\n',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HclSyntaxError);
    const problems = (error as HclSyntaxError).problems;
    expect(problems[0]).toMatch(/^a\.tf:2:10: Invalid expression/);
    expect(problems.some((p) => /^b\.tf:2:\d+: /.test(p))).toBe(true);
  });

  it("turns HCL's diagnostics (file:L,C-L,C) into file:L:C, one a problem", () => {
    expect(
      syntaxProblems(
        'parse config: [main.tf:2,7-3,1: Invalid expression; Expected the start of an expression., main.tf:9,1-2: Unclosed block; No closing brace.]',
        'main.tf',
      ),
    ).toEqual([
      'main.tf:2:7: Invalid expression; Expected the start of an expression.',
      'main.tf:9:1: Unclosed block; No closing brace.',
    ]);
  });
});
