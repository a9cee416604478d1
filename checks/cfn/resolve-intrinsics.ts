/**
 * Resolves the intrinsics an IAM policy in a template typically uses (Ref to a parameter or a
 * pseudo parameter, Fn::Sub, Fn::Join), so its ARNs can be evaluated like a deployed policy's.
 * What cannot be known before deployment (Fn::GetAtt, imports) stays as `${Name}` text.
 */

export interface TemplateScope {
  account: string;
  region: string;
  partition: string;
  /** Parameter defaults, by name. */
  parameters: Record<string, string>;
}

function refValue(name: string, scope: TemplateScope): string {
  switch (name) {
    case 'AWS::AccountId':
      return scope.account;
    case 'AWS::Region':
      return scope.region;
    case 'AWS::Partition':
      return scope.partition;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return scope.parameters[name] ?? `\${${name}}`;
  }
}

export function resolveIntrinsics(value: unknown, scope: TemplateScope): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, scope));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    if (key === 'Ref' && typeof arg === 'string') return refValue(arg, scope);
    if (key === 'Fn::Sub') {
      const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
      if (typeof text === 'string') {
        const local = (vars ?? {}) as Record<string, unknown>;
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in local) return String(resolveIntrinsics(local[name], scope));
          return refValue(name, scope);
        });
      }
    }
    if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      const parts = (arg[1] as unknown[]).map((p) => resolveIntrinsics(p, scope));
      return parts.map(String).join(String(arg[0]));
    }
    if (key === 'Fn::GetAtt' && Array.isArray(arg)) return `\${${arg.join('.')}}`;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, scope)]));
}
