/**
 * A Terraform configuration (one .tf file, or the .tf files of a folder, as Terraform reads a
 * root module) as blocks that remember where they are: each resource, data source, variable and
 * local knows its file and line, so whatever the check says about it can point there.
 */
import { readdir, stat } from 'node:fs/promises';
import { readStudentFile } from '../support/student-file.js';
import path from 'node:path';
import { HclSyntaxError, parseHcl } from './hcl.js';

export interface SourceFile {
  /** As the student knows it: relative to the folder it was found in. */
  name: string;
  path: string;
  text: string;
}

/** Where something is written: a file and an offset in it (a block's first character). */
export interface Place {
  file: SourceFile;
  offset: number;
}

export interface TfBlock {
  kind: 'resource' | 'data' | 'module';
  type: string;
  name: string;
  /** `aws_iam_role.sagemaker`, `data.aws_iam_policy_document.trust`, `module.iam`. */
  address: string;
  /** The block's attributes and nested blocks, in Terraform's JSON syntax. */
  body: Record<string, unknown>;
  place: Place;
}

export interface NamedValue {
  /** The value in Terraform's JSON syntax (strings are templates). */
  raw: unknown;
  place: Place;
}

export interface TerraformConfig {
  /** The folder of the configuration: `path.module`, and where `file()` reads. */
  dir: string;
  files: SourceFile[];
  resources: TfBlock[];
  data: TfBlock[];
  modules: TfBlock[];
  /** Variable defaults, overridden by terraform.tfvars and *.auto.tfvars, by name. */
  variables: Map<string, NamedValue | { undefinedAt: Place }>;
  locals: Map<string, NamedValue>;
}

/** `main.tf:12`, for messages. */
export function lineOf(place: Place, offset = place.offset): string {
  let line = 1;
  const text = place.file.text;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return `${place.file.name}:${line}`;
}

/** The place of `snippet` at or after `place` (its first line), or `place` itself. */
export function placeOf(place: Place, snippet: string): Place {
  const first = snippet
    .split('\n')
    .find((line) => line.trim() !== '')
    ?.trim();
  if (!first) return place;
  const at = place.file.text.indexOf(first, place.offset);
  return at === -1 ? place : { file: place.file, offset: at };
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where a block's header is: `resource "aws_iam_role" "name" {` (labels quoted or not). */
function headerOffset(file: SourceFile, keyword: string, labels: string[], from = 0): number {
  const pattern = [keyword, ...labels.map((l) => `"?${escapeRe(l)}"?`)].join('[ \\t]+');
  const re = new RegExp(`^[ \\t]*${pattern}[ \\t]*\\{`, 'gm');
  re.lastIndex = from;
  const match = re.exec(file.text);
  return match ? match.index + (match[0].length - match[0].trimStart().length) : 0;
}

type Json = Record<string, unknown>;
const objects = (value: unknown): Json[] =>
  (Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : []) as Json[];
const entries = (value: unknown): [string, unknown][] =>
  value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Json) : [];

/** The .tf files a path names: itself, or a folder's *.tf (not its subfolders, as Terraform). */
async function tfFiles(target: string): Promise<{ dir: string; files: string[] }> {
  if ((await stat(target)).isFile()) return { dir: path.dirname(target), files: [target] };
  const names = (await readdir(target)).filter((n) => n.endsWith('.tf')).sort();
  return { dir: target, files: names.map((n) => path.join(target, n)) };
}

/** Whether a path holds a Terraform configuration: a .tf file, or a folder with one. */
export async function isTerraform(target: string): Promise<boolean> {
  try {
    const s = await stat(target);
    if (s.isFile()) return target.endsWith('.tf');
    return s.isDirectory() && (await readdir(target)).some((n) => n.endsWith('.tf'));
  } catch {
    return false;
  }
}

/**
 * Reads and parses a configuration; throws HclSyntaxError with every file's syntax errors
 * (`main.tf:3:7: ...`). `base` is the folder names are shown relative to.
 */
export async function readTerraform(target: string, base: string): Promise<TerraformConfig> {
  const { dir, files: paths } = await tfFiles(target);
  const config: TerraformConfig = {
    dir,
    files: [],
    resources: [],
    data: [],
    modules: [],
    variables: new Map(),
    locals: new Map(),
  };
  const problems: string[] = [];
  const parsed: { file: SourceFile; json: Json }[] = [];
  const tfvars: { file: SourceFile; json: Json }[] = [];
  const read = async (p: string) => {
    const file = { name: path.relative(base, p) || path.basename(p), path: p, text: '' };
    file.text = readStudentFile(p, base, file.name);
    try {
      return { file, json: await parseHcl(file.name, file.text) };
    } catch (error) {
      if (!(error instanceof HclSyntaxError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  for (const p of paths) {
    const result = await read(p);
    if (result) parsed.push(result);
  }
  // Values for variables, as `terraform plan` would take them without -var.
  const varFiles = (await readdir(dir))
    .filter((n) => n === 'terraform.tfvars' || n.endsWith('.auto.tfvars'))
    .sort((a, b) =>
      a === 'terraform.tfvars' ? -1 : b === 'terraform.tfvars' ? 1 : a < b ? -1 : 1,
    );
  for (const n of varFiles) {
    const result = await read(path.join(dir, n));
    if (result) tfvars.push(result);
  }
  if (problems.length > 0) throw new HclSyntaxError(problems);

  for (const { file, json } of parsed) {
    config.files.push(file);
    const from = new Map<string, number>();
    const place = (keyword: string, labels: string[]): Place => {
      const key = [keyword, ...labels].join(' ');
      const offset = headerOffset(file, keyword, labels, from.get(key) ?? 0);
      from.set(key, offset + 1);
      return { file, offset };
    };
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of entries(json[kind])) {
        for (const [name, bodies] of entries(byName)) {
          for (const body of objects(bodies)) {
            (kind === 'resource' ? config.resources : config.data).push({
              kind,
              type,
              name,
              address: kind === 'resource' ? `${type}.${name}` : `data.${type}.${name}`,
              body,
              place: place(kind, [type, name]),
            });
          }
        }
      }
    }
    for (const [name, bodies] of entries(json.module)) {
      for (const body of objects(bodies)) {
        config.modules.push({
          kind: 'module',
          type: 'module',
          name,
          address: `module.${name}`,
          body,
          place: place('module', [name]),
        });
      }
    }
    for (const [name, bodies] of entries(json.variable)) {
      const body = objects(bodies)[0] ?? {};
      const at = place('variable', [name]);
      config.variables.set(
        name,
        'default' in body ? { raw: body.default, place: at } : { undefinedAt: at },
      );
    }
    for (const block of objects(json.locals)) {
      const at = place('locals', []);
      for (const [name, raw] of entries(block)) {
        config.locals.set(name, { raw, place: placeOf(at, `${name}`) });
      }
    }
  }
  for (const { file, json } of tfvars) {
    for (const [name, raw] of entries(json)) {
      config.variables.set(name, { raw, place: placeOf({ file, offset: 0 }, name) });
    }
  }
  return config;
}
