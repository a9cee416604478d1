/**
 * The values of a configuration's expressions, as far as they can be known without running
 * Terraform: literals, templates, lists and objects, `jsonencode`, `jsondecode`, `file`, `var.`
 * (default or .tfvars value) and `local.` references, `data.aws_iam_policy_document.X.json`,
 * the account, region and partition data sources, and the attributes of resources written as
 * literals (a bucket's name, a role's name and ARN). Anything else (a module output, a remote
 * state, a computed attribute, a `for` expression) throws Unresolvable, naming the expression
 * and its line: the check then says it cannot judge, rather than guessing.
 *
 * Expressions are parsed by HCL itself (hcl2json's syntax trees); this file only walks them.
 */
import { readStudentFile, StudentFileError } from '../support/student-file.js';
import path from 'node:path';
import { lineOf, placeOf, type Place, type TerraformConfig, type TfBlock } from './config.js';
import { expressionAst } from './hcl.js';

export class Unresolvable extends Error {
  override name = 'Unresolvable';
  constructor(
    /** The expression as written: `module.iam.policy_arn`. */
    readonly expression: string,
    /** `main.tf:12` */
    readonly at: string,
    readonly reason?: string,
  ) {
    super(`cannot judge ${expression} at ${at}${reason ? ` (${reason})` : ''}`);
  }
}

export interface Scope {
  account: string;
  region: string;
  partition: string;
}

interface Marker {
  byte: number;
}
interface Node {
  type: string;
  meta?: Record<string, unknown> & { value?: string };
  children?: Node[];
  range?: { start: Marker; end: Marker };
}

const MARKER = 'LABWRIGHT_TEMPLATE_END';

/** HCL's template escapes: `$${` is a literal `${`, `%%{` a literal `%{`. */
function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** A quoted string's backslash escapes, as HCL reads them. */
function unescapeQuoted(text: string): string {
  return unescapeTemplate(
    text.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
      if (e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
      return (
        ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e
      );
    }),
  );
}

function asText(value: unknown, expression: string, at: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Unresolvable(expression, at, 'not a string');
}

export class Evaluator {
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly config: TerraformConfig,
    private readonly scope: Scope,
  ) {}

  /**
   * A value in Terraform's JSON syntax (what hcl2json gives for an attribute), evaluated:
   * strings are templates, so `"${jsonencode({...})}"` becomes the JSON text it encodes.
   */
  async value(raw: unknown, at: Place): Promise<unknown> {
    if (typeof raw === 'string') return raw.includes('{') ? this.template(raw, at) : raw;
    if (Array.isArray(raw)) {
      const out: unknown[] = [];
      for (const item of raw) out.push(await this.value(item, at));
      return out;
    }
    if (raw && typeof raw === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(raw)) out[key] = await this.value(item, at);
      return out;
    }
    return raw;
  }

  /** Like `value`, for a value that must be a string. */
  async text(raw: unknown, at: Place, what: string): Promise<string> {
    return asText(await this.value(raw, at), what, lineOf(at));
  }

  private async template(text: string, at: Place): Promise<unknown> {
    if (!/[$%]\{/.test(text)) return text;
    // A heredoc takes the text as it is: quotes, newlines and all; its last line break is ours.
    const source = Buffer.from(`<<${MARKER}\n${text}\n${MARKER}\n`);
    let ast: Node | null;
    try {
      ast = (await expressionAst(source.toString())) as Node | null;
    } catch {
      throw new Unresolvable(text, lineOf(placeOf(at, text)), 'HCL does not read it');
    }
    if (!ast) return text;
    // The tree is shared (expressionAst caches it): read it, never change it.
    const parts = (ast.children ?? []).filter(
      (p, i, all) =>
        !(
          p.type === 'literalValue' &&
          (p.meta?.value === '' || (i === all.length - 1 && p.meta?.value === '\n'))
        ),
    );
    // `"${x}"` is x itself, a list or an object included, as in Terraform.
    if (ast.type === 'template' && parts.length === 1 && parts[0]!.type !== 'literalValue') {
      return this.node(parts[0]!, source, at);
    }
    const value = await this.node(ast, source, at, false);
    return typeof value === 'string' ? value.replace(/\n$/, '') : value;
  }

  private expressionText(node: Node, source: Buffer): string {
    if (typeof node.meta?.value === 'string' && node.type !== 'literalValue')
      return node.meta.value;
    return node.range ? source.subarray(node.range.start.byte, node.range.end.byte).toString() : '';
  }

  private unresolvable(node: Node, source: Buffer, at: Place, reason?: string): Unresolvable {
    const expression = this.expressionText(node, source).trim() || node.type;
    return new Unresolvable(expression, lineOf(placeOf(at, expression)), reason);
  }

  private async node(node: Node, source: Buffer, at: Place, quoted = true): Promise<unknown> {
    const children = node.children ?? [];
    switch (node.type) {
      case 'literalValue': {
        const value = node.meta?.value ?? '';
        if (node.meta?.type === 'number') return Number(value);
        if (node.meta?.type === 'bool') return value === 'true';
        if (node.meta?.type === 'dynamic' && value === 'null') return null;
        return quoted ? unescapeQuoted(value) : unescapeTemplate(value);
      }
      case 'template': {
        const heredoc = quoted ? /^<</.test(node.meta?.value ?? '') : true;
        let out = '';
        for (const child of children) {
          const value = await this.node(child, source, at, !heredoc);
          out += asText(value, this.expressionText(child, source), lineOf(at));
        }
        return out;
      }
      case 'templateWrap':
      case '':
        if (children.length === 1) return this.node(children[0]!, source, at, quoted);
        throw this.unresolvable(node, source, at);
      case 'tuple': {
        const out: unknown[] = [];
        for (const child of children) out.push(await this.node(child, source, at));
        return out;
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        for (let i = 0; i + 1 < children.length; i += 2) {
          const keyNode = children[i]!;
          const key = keyNode.children?.length
            ? asText(
                await this.node(keyNode, source, at),
                this.expressionText(keyNode, source),
                lineOf(at),
              )
            : this.expressionText(keyNode, source).trim();
          out[key] = await this.node(children[i + 1]!, source, at);
        }
        return out;
      }
      case 'function':
        return this.call(node, source, at);
      case 'scopeTraversal':
        return this.traversal(node, source, at);
      default:
        throw this.unresolvable(node, source, at);
    }
  }

  private async call(node: Node, source: Buffer, at: Place): Promise<unknown> {
    const name = String(node.meta?.name ?? '');
    const args: unknown[] = [];
    for (const child of node.children ?? []) args.push(await this.node(child, source, at));
    const where = lineOf(placeOf(at, this.expressionText(node, source)));
    switch (name) {
      case 'jsonencode':
        return JSON.stringify(args[0]);
      case 'jsondecode':
        try {
          return JSON.parse(asText(args[0], this.expressionText(node, source), where)) as unknown;
        } catch (error) {
          if (error instanceof Unresolvable) throw error;
          throw this.unresolvable(node, source, at, 'not JSON');
        }
      case 'file': {
        const file = path.resolve(this.config.dir, asText(args[0], 'file()', where));
        // Only a regular file inside the configuration's folder: never a link out of it.
        try {
          return readStudentFile(file, this.config.dir, file);
        } catch (error) {
          const reason = error instanceof StudentFileError ? error.message : `no file ${file}`;
          throw this.unresolvable(node, source, at, reason);
        }
      }
      default:
        throw this.unresolvable(node, source, at, `labwright does not evaluate ${name}()`);
    }
  }

  private async traversal(node: Node, source: Buffer, at: Place): Promise<unknown> {
    const steps = ((node.meta?.traversal ?? []) as { type: string; segment: string }[]).map((s) =>
      s.type === 'indexTraversal' ? s.segment.replace(/^"|"$/g, '') : s.segment.replace(/^\./, ''),
    );
    const expression = this.expressionText(node, source);
    const fail = (reason?: string) => this.unresolvable(node, source, at, reason);
    const [root, ...rest] = steps;
    const index = (value: unknown, keys: string[]): unknown => {
      let current = value;
      for (const key of keys) {
        if (current && typeof current === 'object' && key in (current as object)) {
          current = (current as Record<string, unknown>)[key];
        } else {
          throw fail();
        }
      }
      return current;
    };
    switch (root) {
      case 'var': {
        const [name, ...keys] = rest;
        const variable = name ? this.config.variables.get(name) : undefined;
        if (!variable) throw fail(`no variable "${name}" is declared`);
        if ('undefinedAt' in variable) throw fail(`variable "${name}" has no default`);
        return index(
          await this.guarded(expression, () => this.value(variable.raw, variable.place)),
          keys,
        );
      }
      case 'local': {
        const [name, ...keys] = rest;
        const local = name ? this.config.locals.get(name) : undefined;
        if (!local) throw fail(`no local "${name}"`);
        return index(
          await this.guarded(`local.${name}`, () => this.value(local.raw, local.place)),
          keys,
        );
      }
      case 'path':
        if (['module', 'root', 'cwd'].includes(rest[0] ?? '')) return this.config.dir;
        throw fail();
      case 'data':
        return this.dataSource(rest, fail);
      default: {
        const [name, attribute, ...keys] = rest;
        const block = this.config.resources.find((r) => r.type === root && r.name === name);
        if (!block || !attribute) throw fail(block ? undefined : 'not in this configuration');
        return index(await this.attribute(block, attribute, fail), keys);
      }
    }
  }

  /** Evaluates with a guard against locals that refer to themselves. */
  private async guarded<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.inProgress.has(key)) throw new Unresolvable(key, '?', 'it refers to itself');
    this.inProgress.add(key);
    try {
      return await work();
    } finally {
      this.inProgress.delete(key);
    }
  }

  private async dataSource(
    steps: string[],
    fail: (reason?: string) => Unresolvable,
  ): Promise<unknown> {
    const [type, name, attribute] = steps;
    const block = this.config.data.find((d) => d.type === type && d.name === name);
    if (!block) throw fail('not in this configuration');
    switch (`${type}.${attribute}`) {
      case 'aws_iam_policy_document.json':
      case 'aws_iam_policy_document.minified_json':
        return JSON.stringify(await this.policyDocument(block));
      case 'aws_caller_identity.account_id':
        return this.scope.account;
      case 'aws_partition.partition':
        return this.scope.partition;
      case 'aws_partition.dns_suffix':
        return 'amazonaws.com';
      case 'aws_region.name':
      case 'aws_region.region':
      case 'aws_region.id':
        return this.scope.region;
      default:
        if (attribute && attribute in block.body)
          return this.value(block.body[attribute], block.place);
        throw fail('known only once Terraform reads it from AWS');
    }
  }

  /** A resource's name as Terraform would create it; a stand-in when Terraform picks it. */
  async resourceName(block: TfBlock): Promise<string> {
    if ('name' in block.body)
      return this.text(block.body.name, block.place, `${block.address}.name`);
    if ('name_prefix' in block.body) {
      throw new Unresolvable(
        `${block.address}.name_prefix`,
        lineOf(block.place),
        'Terraform picks the rest of the name',
      );
    }
    return block.address;
  }

  async resourcePath(block: TfBlock): Promise<string> {
    return 'path' in block.body
      ? this.text(block.body.path, block.place, `${block.address}.path`)
      : '/';
  }

  private async attribute(
    block: TfBlock,
    attribute: string,
    fail: (reason?: string) => Unresolvable,
  ): Promise<unknown> {
    const { partition, account } = this.scope;
    switch (`${block.type}.${attribute}`) {
      case 'aws_iam_role.name':
      case 'aws_iam_role.id':
      case 'aws_iam_policy.name':
        return this.resourceName(block);
      case 'aws_iam_role.arn':
        return `arn:${partition}:iam::${account}:role${await this.resourcePath(block)}${await this.resourceName(block)}`;
      case 'aws_iam_policy.arn':
      case 'aws_iam_policy.id':
        return `arn:${partition}:iam::${account}:policy${await this.resourcePath(block)}${await this.resourceName(block)}`;
      case 'aws_s3_bucket.id':
      case 'aws_s3_bucket.bucket':
        if (!('bucket' in block.body)) throw fail('Terraform picks the bucket name');
        return this.text(block.body.bucket, block.place, `${block.address}.bucket`);
      case 'aws_s3_bucket.arn':
        if (!('bucket' in block.body)) throw fail('Terraform picks the bucket name');
        return `arn:${partition}:s3:::${await this.text(block.body.bucket, block.place, `${block.address}.bucket`)}`;
      default:
        if (attribute in block.body) return this.value(block.body[attribute], block.place);
        throw fail('known only once Terraform creates it');
    }
  }

  /**
   * The policy a data.aws_iam_policy_document builds, as the AWS provider renders it:
   * statement blocks with principals and conditions; `&{aws:username}` is IAM's `${...}`.
   */
  async policyDocument(block: TfBlock): Promise<Record<string, unknown>> {
    const body = block.body;
    const at = block.place;
    for (const unsupported of ['override_policy_documents', 'override_json', 'source_json']) {
      if (unsupported in body) {
        throw new Unresolvable(
          `${block.address}.${unsupported}`,
          lineOf(placeOf(at, unsupported)),
          'labwright does not merge policy documents',
        );
      }
    }
    const statements: unknown[] = [];
    if ('source_policy_documents' in body) {
      const sources = await this.value(body.source_policy_documents, at);
      for (const text of Array.isArray(sources) ? sources : []) {
        try {
          const doc = JSON.parse(String(text)) as { Statement?: unknown };
          statements.push(
            ...(Array.isArray(doc.Statement)
              ? doc.Statement
              : doc.Statement
                ? [doc.Statement]
                : []),
          );
        } catch {
          throw new Unresolvable(
            `${block.address}.source_policy_documents`,
            lineOf(at),
            'not JSON',
          );
        }
      }
    }
    const list = async (raw: unknown): Promise<string[]> => {
      const value = await this.value(raw, at);
      return (Array.isArray(value) ? value : [value]).map((v) => String(v).replace(/&\{/g, '${'));
    };
    const principals = async (raw: unknown): Promise<unknown> => {
      const out: Record<string, string[]> = {};
      for (const p of (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[]) {
        const type = await this.text(p.type, at, `${block.address} principals type`);
        (out[type] ??= []).push(...(await list(p.identifiers)));
      }
      if (out['*']) return '*';
      return Object.fromEntries(
        Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
      );
    };
    for (const s of (Array.isArray(body.statement) ? body.statement : []) as Record<
      string,
      unknown
    >[]) {
      const statement: Record<string, unknown> = {};
      if (s.sid !== undefined) statement.Sid = await this.text(s.sid, at, 'sid');
      statement.Effect = s.effect === undefined ? 'Allow' : await this.text(s.effect, at, 'effect');
      if (s.actions !== undefined) statement.Action = await list(s.actions);
      if (s.not_actions !== undefined) statement.NotAction = await list(s.not_actions);
      if (s.resources !== undefined) statement.Resource = await list(s.resources);
      if (s.not_resources !== undefined) statement.NotResource = await list(s.not_resources);
      if (s.principals !== undefined) statement.Principal = await principals(s.principals);
      if (s.not_principals !== undefined)
        statement.NotPrincipal = await principals(s.not_principals);
      if (s.condition !== undefined) {
        const condition: Record<string, Record<string, string[]>> = {};
        for (const c of (Array.isArray(s.condition) ? s.condition : [s.condition]) as Record<
          string,
          unknown
        >[]) {
          const test = await this.text(c.test, at, 'condition test');
          const variable = await this.text(c.variable, at, 'condition variable');
          (condition[test] ??= {})[variable] = await list(c.values);
        }
        statement.Condition = condition;
      }
      statements.push(statement);
    }
    const version =
      body.version === undefined ? '2012-10-17' : await this.text(body.version, at, 'version');
    return { Version: version, Statement: statements };
  }
}
