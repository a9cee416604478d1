/**
 * Overly broad grants: an Allow of every action ("*"), or of every action of a service
 * ("s3:*"), on every resource ("*"). Least privilege means naming actions and resources.
 * AWS managed policies are judged by name (a lab forbids AmazonS3FullAccess by name), so a
 * service-wide grant in one the lab accepts, such as CloudWatchLogsFullAccess's logs:* on *,
 * is not flagged; "*" on "*" always is, whoever wrote it.
 */
import {
  statementLabel,
  statementsOf,
  statementSummary,
  type PolicyDocument,
  type Statement,
} from './policy-document.js';

export interface BroadGrant {
  policy: string;
  statement: Statement;
  /** `statement 1 in AdministratorAccess allows * on *` */
  description: string;
}

function isBroadAction(action: string, serviceWide: boolean): boolean {
  return action === '*' || (serviceWide && /^[a-z0-9-]+:\*$/i.test(action));
}

export function broadGrants(
  policy: string,
  document: PolicyDocument,
  options: { awsManaged?: boolean } = {},
): BroadGrant[] {
  const serviceWide = !options.awsManaged;
  return statementsOf(document)
    .filter(
      (s) =>
        s.effect === 'Allow' &&
        ((serviceWide && s.notActions.length > 0) ||
          s.actions.some((a) => isBroadAction(a, serviceWide))) &&
        (s.resources.includes('*') || (s.resources.length === 0 && s.notResources.length > 0)),
    )
    .map((statement) => ({
      policy,
      statement,
      description: `${statementLabel(statement)} in ${policy} allows ${statementSummary(statement)}`,
    }));
}
