/**
 * Who may assume a role, read from its trust policy: the services, accounts and federated
 * providers its Allow statements name for sts:AssumeRole, and whether any principal at all may.
 */
import {
  statementsOf,
  wildcardMatches,
  type PolicyDocument,
  type Statement,
} from './policy-document.js';

export interface TrustAnalysis {
  /** Service principals allowed to assume the role (sagemaker.amazonaws.com). */
  services: string[];
  /** Other principals allowed: account or role ARNs, federated providers. */
  others: string[];
  /** Statements that let anyone assume the role ("*" or {"AWS": "*"}). */
  openStatements: Statement[];
  /** Services an explicit Deny keeps out. */
  deniedServices: string[];
}

const ASSUME_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithSAML',
];

function coversAssume(statement: Statement): boolean {
  if (statement.notActions.length > 0) {
    return ASSUME_ACTIONS.some((a) => !statement.notActions.some((p) => wildcardMatches(p, a)));
  }
  return statement.actions.some((p) => ASSUME_ACTIONS.some((a) => wildcardMatches(p, a)));
}

function values(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function analyzeTrust(document: PolicyDocument): TrustAnalysis {
  const analysis: TrustAnalysis = {
    services: [],
    others: [],
    openStatements: [],
    deniedServices: [],
  };
  for (const statement of statementsOf(document)) {
    if (!coversAssume(statement)) continue;
    const principal = statement.principal;
    const open =
      principal === '*' ||
      (principal !== null &&
        typeof principal === 'object' &&
        values((principal as Record<string, unknown>).AWS).includes('*'));
    const map =
      principal && typeof principal === 'object' ? (principal as Record<string, unknown>) : {};
    if (statement.effect === 'Deny') {
      analysis.deniedServices.push(...values(map.Service));
      continue;
    }
    if (statement.notPrincipal !== undefined) {
      analysis.openStatements.push(statement);
      continue;
    }
    if (open) analysis.openStatements.push(statement);
    analysis.services.push(...values(map.Service));
    for (const key of ['AWS', 'Federated', 'CanonicalUser']) {
      analysis.others.push(...values(map[key]).filter((v) => v !== '*'));
    }
  }
  analysis.services = [...new Set(analysis.services)];
  analysis.others = [...new Set(analysis.others)];
  return analysis;
}
