import * as z from 'zod';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { runCfnLint } from './cfn/cfn-lint.js';
import { parseTemplate } from './cfn/parse-template.js';
import { templateRoles, type TemplateRole } from './cfn/template-roles.js';
import { defineCheckSpec, type CheckContext, type CheckType } from './define.js';
import { broadGrants } from './iam/broad-grants.js';
import { evaluateProbe } from './iam/probe.js';
import { policyLabel, rolePolicies } from './iam/role-policies.js';
import { analyzeTrust } from './iam/trust-policy.js';
import { errored, failed, passed, sentence } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { servicePrincipal } from './fragments.js';

export const cfnTemplate = defineCheckSpec({
  type: 'cfn.template',
  summary:
    "A CloudFormation template (the student's file) parses and defines an IAM role trusted by the service, with no overly broad grants.",
  with: z.strictObject({
    file: z
      .string()
      .min(1)
      .describe("Path to the student's template, relative to the working directory"),
    resourceType: z.string().default('AWS::IAM::Role'),
    trusts: servicePrincipal.optional().describe('The role must trust this service'),
    allow: z
      .array(z.strictObject({ action: z.string(), resource: z.string() }))
      .default([])
      .describe("Grants the role's inline policies must contain"),
    forbidWildcards: z.boolean().default(true),
    lint: z.boolean().default(false).describe('Also run cfn-lint when it is installed'),
  }),
});

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The student's file first (working directory); the lab folder's copy as a fallback, said so. */
async function findTemplate(
  file: string,
  ctx: CheckContext,
): Promise<{ path: string; from: 'working directory' | 'lab folder' } | undefined> {
  if (isAbsolute(file))
    return (await isFile(file)) ? { path: file, from: 'working directory' } : undefined;
  const own = resolve(ctx.cwd, file);
  if (await isFile(own)) return { path: own, from: 'working directory' };
  const lab = resolve(ctx.labDir, file);
  if (await isFile(lab)) return { path: lab, from: 'lab folder' };
  return undefined;
}

type Input = z.output<typeof cfnTemplate.with>;

/** Everything wrong with one role resource, in the student's terms. */
interface RoleVerdict {
  problems: string[];
  /** Grants the lab asks about that cannot be evaluated: the lab's mistake. */
  unsound: string[];
}

async function judgeRole(entry: TemplateRole, input: Input): Promise<RoleVerdict> {
  const { role, logicalId } = entry;
  const problems: string[] = [];
  const unsound: string[] = [];
  if (input.trusts) {
    const trust = analyzeTrust(role.trustPolicy);
    if (trust.openStatements.length > 0) {
      problems.push(`${logicalId}'s AssumeRolePolicyDocument lets any principal assume the role`);
    }
    if (!trust.services.includes(input.trusts)) {
      problems.push(
        trust.services.length
          ? `${logicalId} trusts ${trust.services.join(', ')}, not ${input.trusts}`
          : `${logicalId}'s AssumeRolePolicyDocument does not name ${input.trusts}`,
      );
    }
  }
  for (const grant of input.allow) {
    const result = await evaluateProbe(role, grant);
    if (result.problem) unsound.push(result.problem);
    else if (!result.allowed) problems.push(`${logicalId}: ${result.explanation}`);
  }
  if (input.forbidWildcards) {
    for (const policy of rolePolicies(role)) {
      for (const broad of broadGrants(policyLabel(policy), policy.document, {
        awsManaged: policy.kind === 'managed' && policy.awsManaged,
      })) {
        problems.push(`${logicalId}: too broad: ${broad.description}`);
      }
    }
  }
  if (entry.unreadable.length > 0 && input.allow.length > 0 && problems.length > 0) {
    problems.push(
      `(the managed policies ${entry.unreadable.join(', ')} could not be read, so their grants were not counted)`,
    );
  }
  return { problems, unsound };
}

export const cfnTemplateCheck: CheckType<typeof cfnTemplate.with> = onTarget({
  ...cfnTemplate,
  async run(input, ctx) {
    const found = await findTemplate(input.file, ctx);
    if (!found) {
      return failed(
        `no template at ${input.file} (looked in ${ctx.cwd} and in the lab folder ${ctx.labDir})`,
        { file: input.file, cwd: ctx.cwd },
        { retryable: false },
      );
    }
    const where =
      found.from === 'lab folder'
        ? `${input.file} (from the lab folder; none in your working directory)`
        : input.file;
    let text: string;
    try {
      text = await readFile(found.path, 'utf8');
    } catch (error) {
      return errored(`cannot read ${found.path}: ${(error as Error).message}`);
    }
    const parsed = parseTemplate(text, input.file);
    if (!parsed.ok) {
      return failed(
        `${where} does not parse: ${parsed.problems.join('; ')}`,
        { file: found.path, problems: parsed.problems },
        { retryable: false },
      );
    }
    const roles = await templateRoles(parsed.template, input.resourceType, ctx);
    const lint = input.lint ? await runCfnLint(found.path, ctx.signal) : undefined;
    const lintErrors = lint?.ran ? lint.findings.filter((f) => f.rule.startsWith('E')) : [];
    const evidence = {
      file: found.path,
      from: found.from,
      resources: roles.map((r) => ({
        logicalId: r.logicalId,
        trustPolicy: r.role.trustPolicy,
        inlinePolicies: r.role.inline.map((p) => p.name),
        managedPolicies: r.role.managed.map((p) => p.arn),
      })),
      ...(lint ? { lint: lint.ran ? lint.findings.slice(0, 20) : lint.reason } : {}),
    };
    const lintNote = !lint
      ? ''
      : !lint.ran
        ? `; ${lint.reason}, so it was not run`
        : lint.findings.length === 0
          ? '; cfn-lint finds nothing to fix'
          : `; cfn-lint: ${lint.findings
              .slice(0, 5)
              .map((f) => `${f.rule} at line ${f.line}: ${f.message}`)
              .join('; ')}`;
    if (roles.length === 0) {
      return failed(`${where} defines no ${input.resourceType} resource${lintNote}`, evidence, {
        retryable: false,
      });
    }
    const judged = await Promise.all(
      roles.map(async (r) => ({ r, ...(await judgeRole(r, input)) })),
    );
    const unsound = [...new Set(judged.flatMap((j) => j.unsound))];
    if (unsound.length > 0) {
      return errored(`the lab's grants cannot be evaluated: ${unsound.join('; ')}`, evidence);
    }
    const good = judged.find((j) => j.problems.length === 0);
    if (!good) {
      return failed(sentence(judged.flatMap((j) => j.problems)) + lintNote, evidence, {
        retryable: false,
      });
    }
    if (lintErrors.length > 0) {
      return failed(
        `${where} defines ${good.r.logicalId} well, but cfn-lint reports errors${lintNote}`,
        evidence,
        { retryable: false },
      );
    }
    const what = [
      input.trusts ? `trusted by ${input.trusts}` : '',
      input.allow.length ? `allowed ${input.allow.map((a) => a.action).join(', ')}` : '',
      input.forbidWildcards ? 'with no "*" grants' : '',
    ]
      .filter(Boolean)
      .join(', ');
    return passed(
      `${where} defines ${good.r.logicalId} (${input.resourceType})${what ? `, ${what}` : ''}${lintNote}`,
      evidence,
    );
  },
});
