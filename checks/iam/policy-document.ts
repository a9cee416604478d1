/**
 * IAM policy documents as the APIs return them, and their statements in one shape.
 * GetRole, GetPolicyVersion and GetRolePolicy return documents URL-encoded (RFC 3986); some
 * emulators return plain JSON, and S3's GetBucketPolicy always does.
 */

export interface PolicyDocument {
  Version?: string;
  Statement?: unknown;
  [key: string]: unknown;
}

/** A statement with every element as a list, and its position as AWS counts it (from 1). */
export interface Statement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  /** Principal as written ("*" or { Service: [...], AWS: [...] }), for trust and bucket policies. */
  principal?: unknown;
  notPrincipal?: unknown;
  condition?: Record<string, unknown>;
}

export function parsePolicyDocument(raw: unknown): PolicyDocument {
  if (raw && typeof raw === 'object') return raw as PolicyDocument;
  if (typeof raw !== 'string') return {};
  try {
    return JSON.parse(raw) as PolicyDocument;
  } catch {
    // Form-style encoders write spaces as "+"; a literal "+" is always %2B once encoded.
    return JSON.parse(decodeURIComponent(raw.replace(/\+/g, ' '))) as PolicyDocument;
  }
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function statementsOf(document: PolicyDocument): Statement[] {
  const raw = document.Statement;
  const items = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return items.map((item, i) => {
    const s = (item ?? {}) as Record<string, unknown>;
    const statement: Statement = {
      index: i + 1,
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: list(s.Action),
      notActions: list(s.NotAction),
      resources: list(s.Resource),
      notResources: list(s.NotResource),
    };
    if (typeof s.Sid === 'string' && s.Sid) statement.sid = s.Sid;
    if (s.Principal !== undefined) statement.principal = s.Principal;
    if (s.NotPrincipal !== undefined) statement.notPrincipal = s.NotPrincipal;
    if (s.Condition && typeof s.Condition === 'object')
      statement.condition = s.Condition as Record<string, unknown>;
    return statement;
  });
}

/** `statement "AllowObjects"` when it has a Sid, else `statement 2`, as a student finds it. */
export function statementLabel(statement: Pick<Statement, 'index' | 'sid'>): string {
  return statement.sid ? `statement "${statement.sid}"` : `statement ${statement.index}`;
}

/** A list as a student can read it in one line: the first few, then how many more. */
function few(items: string[], max = 4): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** What a statement grants, in a few words: `s3:GetObject, s3:PutObject on arn:aws:s3:::b/*`. */
export function statementSummary(statement: Statement): string {
  const actions = statement.actions.length
    ? few(statement.actions)
    : `everything except ${few(statement.notActions)}`;
  const resources = statement.resources.length
    ? few(statement.resources)
    : statement.notResources.length
      ? `everything except ${few(statement.notResources)}`
      : 'no resource';
  const conditioned = statement.condition ? ' (with conditions)' : '';
  return `${actions} on ${resources}${conditioned}`;
}

/** IAM's wildcard matching, case-insensitive for actions as IAM is: `s3:Get*` matches s3:GetObject. */
export function wildcardMatches(pattern: string, value: string, ignoreCase = true): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'i' : '').test(value);
}
