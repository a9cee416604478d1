/**
 * Overly broad grants: an Allow of every action ("*"), or of every action of a service
 * ("s3:*"), on every resource ("*"). Least privilege means naming actions and resources.
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

function isBroadAction(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
}

export function broadGrants(policy: string, document: PolicyDocument): BroadGrant[] {
  return statementsOf(document)
    .filter(
      (s) =>
        s.effect === 'Allow' &&
        (s.notActions.length > 0 || s.actions.some(isBroadAction)) &&
        (s.resources.includes('*') || (s.resources.length === 0 && s.notResources.length > 0)),
    )
    .map((statement) => ({
      policy,
      statement,
      description: `${statementLabel(statement)} in ${policy} allows ${statementSummary(statement)}`,
    }));
}
