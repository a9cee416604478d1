/**
 * HCL through @cdktf/hcl2json (HashiCorp's own HCL parser, compiled to WebAssembly), loaded on
 * first use only: the module reads and compiles its ~7 MB wasm as soon as it is imported, which
 * a lab without Terraform (or a student who wrote CloudFormation) should never pay for.
 */
import type { ExpressionType } from '@cdktf/hcl2json/lib/syntax-tree.js';

type Hcl2Json = typeof import('@cdktf/hcl2json');

let loading: Promise<Hcl2Json> | undefined;

function hcl2json(): Promise<Hcl2Json> {
  loading ??= import('@cdktf/hcl2json').then(
    // CommonJS seen from ESM: the named exports may sit on `default`.
    (module) => ((module as { default?: Hcl2Json }).default ?? module) as Hcl2Json,
  );
  return loading;
}

export type { ExpressionType };

/** A syntax error, as an editor shows it: `main.tf:12:7: Invalid expression; ...`. */
export class HclSyntaxError extends Error {
  override name = 'HclSyntaxError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/**
 * HCL's diagnostics read `file:12,7-13,1: Summary; Detail`; labwright says `file:12:7: ...`,
 * like every other problem it reports.
 */
export function syntaxProblems(message: string, file: string): string[] {
  const body = message.replace(/^[^[]*\[/, '').replace(/\]\s*$/, '');
  const at = /(\S+?):(\d+),(\d+)(?:-\d+(?:,\d+)?)?: /g;
  const starts = [...body.matchAll(at)];
  if (starts.length === 0) return [`${file}: ${message}`];
  return starts.map((m, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index : body.length;
    const text = body
      .slice(m.index + m[0].length, end)
      .replace(/,\s*$/, '')
      .trim();
    return `${m[1]}:${m[2]}:${m[3]}: ${text}`;
  });
}

/** One .tf (or .tfvars) file as JSON (Terraform's JSON syntax: every string is a template). */
export async function parseHcl(file: string, text: string): Promise<Record<string, unknown>> {
  const { parse } = await hcl2json();
  try {
    return (await parse(file, text)) as Record<string, unknown>;
  } catch (error) {
    throw new HclSyntaxError(syntaxProblems((error as Error).message, file));
  }
}

/** The syntax tree of one expression (`jsonencode({...})`, a heredoc template). */
export async function expressionAst(expression: string): Promise<ExpressionType | null> {
  const { getExpressionAst } = await hcl2json();
  return getExpressionAst('expression.tf', expression);
}
