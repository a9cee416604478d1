/**
 * Judges a Terraform configuration that was found: parse (syntax errors at file:line:col),
 * the roles it defines, and the shared role judge. What cannot be known without `terraform
 * apply` is an `error` that names the expression and its line, never a guess.
 */
import type { CheckContext, CheckOutcome } from '../define.js';
import { describeFound, type Found } from '../iac/find-file.js';
import { describeRules, judgeRole, type RoleRules } from '../iac/judge-role.js';
import { errored, failed, passed, sentence } from '../support/outcome.js';
import { readTerraform } from './config.js';
import { Unresolvable } from './evaluate.js';
import { HclSyntaxError } from './hcl.js';
import { terraformRoles } from './roles.js';

export async function judgeTerraform(
  found: Found,
  name: string,
  rules: RoleRules,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const where = `Terraform ${name} (${describeFound(found)})`;
  let config;
  try {
    config = await readTerraform(found.path, found.base);
  } catch (error) {
    if (error instanceof HclSyntaxError) {
      return failed(
        `${where} does not parse: ${error.problems.join('; ')}`,
        { kind: 'terraform', file: found.path, problems: error.problems },
        { retryable: false },
      );
    }
    return errored(`cannot read ${found.path}: ${(error as Error).message}`);
  }
  const evidence: Record<string, unknown> = {
    kind: 'terraform',
    file: found.path,
    from: found.from,
    files: config.files.map((f) => f.name),
  };
  if (config.files.length === 0) {
    return failed(`${where} holds no .tf file`, evidence, { retryable: false });
  }
  let roles;
  try {
    roles = await terraformRoles(config, ctx);
  } catch (error) {
    if (error instanceof Unresolvable) {
      return errored(
        `${where}: ${error.message}; write it as a literal, a var. default or a local, or use CloudFormation`,
        { ...evidence, expression: error.expression, at: error.at },
      );
    }
    throw error;
  }
  evidence.resources = roles.map((r) => ({
    address: r.label,
    trustPolicy: r.role.trustPolicy,
    inlinePolicies: r.role.inline.map((p) => p.name),
    managedPolicies: r.role.managed.map((p) => p.arn),
  }));
  if (roles.length === 0) {
    return failed(`${where} defines no aws_iam_role resource`, evidence, { retryable: false });
  }
  const judged = await Promise.all(roles.map(async (r) => ({ r, ...(await judgeRole(r, rules)) })));
  const unsound = [...new Set(judged.flatMap((j) => j.unsound))];
  if (unsound.length > 0) {
    return errored(`the lab's grants cannot be evaluated: ${unsound.join('; ')}`, evidence);
  }
  const good = judged.find((j) => j.problems.length === 0);
  if (!good) {
    return failed(`${where}: ${sentence(judged.flatMap((j) => j.problems))}`, evidence, {
      retryable: false,
    });
  }
  const what = describeRules(rules);
  return passed(`${where} defines ${good.r.label}${what ? `, ${what}` : ''}`, evidence);
}
