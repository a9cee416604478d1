/**
 * HCL through @cdktn/hcl2json (HashiCorp's own HCL parser, compiled to WebAssembly), loaded on
 * first use only: the module reads and compiles its ~7 MB wasm as soon as it is imported, which
 * a lab without Terraform (or a student who wrote CloudFormation) should never pay for.
 */
import type * as Hcl2JsonModule from '@cdktn/hcl2json';
import type { ExpressionType } from '@cdktn/hcl2json/build/syntax-tree.js';
import { setFlagsFromString } from 'node:v8';

type Hcl2Json = typeof Hcl2JsonModule;

let loading: Promise<Hcl2Json> | undefined;

function hcl2json(): Promise<Hcl2Json> {
  // V8 compiles WebAssembly twice: quickly (Liftoff), then optimized (TurboFan) in the
  // background, which for this ~7 MB module costs more CPU than labwright's whole run and, on
  // a busy machine, delays the first parse by over a second. A check parses a few files once:
  // the quick code is plenty (measured: first parse 2.2 s -> 0.8 s, ten expressions 0.5 s ->
  // 0.05 s on a loaded 2-core machine). labwright runs no other WebAssembly.
  if (!loading) setFlagsFromString('--liftoff-only');
  loading ??= import('@cdktn/hcl2json').then(
    // CommonJS seen from ESM: the named exports may sit on `default`.
    (module) => ((module as unknown as { default?: Hcl2Json }).default ?? module) as Hcl2Json,
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

const trees = new Map<string, Promise<ExpressionType | null>>();

/**
 * The syntax tree of one expression (`jsonencode({...})`, a heredoc template); the same text
 * (a role reference in every attachment) is parsed once. Callers must not change the tree.
 */
export function expressionAst(expression: string): Promise<ExpressionType | null> {
  let tree = trees.get(expression);
  if (!tree) {
    tree = hcl2json().then(({ getExpressionAst }) => getExpressionAst('expression.tf', expression));
    if (trees.size > 1000) trees.clear();
    trees.set(expression, tree);
  }
  return tree;
}
