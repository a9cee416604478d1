import path from 'node:path';
import { isAlias, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type * as z from 'zod';
import {
  isFileRef,
  LabFileError,
  MAX_ALIAS_COUNT,
  readLabDocument,
  readRegularFile,
  shapeProblem,
} from './files.js';
import { checkExpressions } from './expressions.js';
import { describeIssue, flattenIssues } from './issues.js';
import { locate } from './locate.js';
import { checkMistakes } from './mistakes.js';
import type { Path, Report } from './path.js';
import { formatPath, type LabProblem } from './problem.js';
import { closest } from './suggest.js';
import { lab as labSchema, type Lab } from './schema.js';
import {
  actionReference,
  BUILTIN_VARS,
  interpolate,
  isActionReference,
  referencedVars,
  resolveDefaults,
  SAMPLE_BUILTINS,
  VarCycleError,
  varNameProblem,
} from './vars.js';

/** What the loader must know about the world, injected so that src/lab depends on nothing. */
export interface LoadOptions {
  /** The `with` schema of each check type, by type name. */
  checkSchemas: ReadonlyMap<string, z.ZodType>;
  /**
   * The operations an AWS service offers, or undefined when labwright has no client for it.
   * Omit to skip checking `aws:` actions and `aws.call` checks.
   */
  serviceOperations?: (service: string) => Promise<ReadonlySet<string> | undefined>;
  /** Names of services labwright has clients for, used in the error for an unknown one. */
  knownServices?: readonly string[];
  /** The input members an operation requires; omit to skip checking inputs. */
  requiredInput?: (service: string, operation: string) => readonly string[];
  /** A service's SDK waiters, for `wait:` actions; omit to skip checking them. */
  waiters?: (service: string) => readonly string[];
}

export interface LoadedLab {
  lab: Lab;
  /** Absolute path of the lab.yaml */
  file: string;
  /** The lab folder, where `{ file: }` references resolve */
  dir: string;
  /** Variable values: the lab's defaults. Overrides and built-ins are added at run time. */
  defaults: Record<string, string>;
  /** Whether the author wrote `version:` (else a hand-in's version is a hash of the lab's files). */
  versionDeclared?: boolean;
}

export type LoadResult = { ok: true; loaded: LoadedLab } | { ok: false; problems: LabProblem[] };

/**
 * Loads and validates a lab file. Every problem is reported, each at its line and column,
 * so an author fixes them in one pass; a lab with any problem is not returned.
 */
export async function loadLab(file: string, options: LoadOptions): Promise<LoadResult> {
  const absolute = path.resolve(file);
  const shown = path.relative(process.cwd(), absolute) || absolute;
  let text: string;
  try {
    // Only a regular file under the size limit: a FIFO would hang the read, 100 MB would
    // take gigabytes to parse.
    text = readRegularFile(absolute, 'the lab').toString('utf8');
  } catch (error) {
    if (!(error instanceof LabFileError)) throw error;
    return {
      ok: false,
      problems: [{ file: shown, line: 1, col: 1, message: error.message, path: '' }],
    };
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: LabProblem[] = [];
  const report = (at: Path, message: string, preferKey = false, find?: string) => {
    const inside = find === undefined ? undefined : { find, source: text };
    const { line, col } = locate(doc, lines, at, preferKey, inside);
    problems.push({ file: shown, line, col, message, path: formatPath(at) });
  };

  for (const error of doc.errors) {
    const position = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    problems.push({
      file: shown,
      ...position,
      message: `YAML: ${firstLine(error.message)}`,
      path: '',
    });
  }
  if (problems.length) return { ok: false, problems };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library refuses an alias bomb or an alias to no anchor by throwing.
    const message = (error as Error).message;
    const unresolved = /^Unresolved alias.*: (.*)$/.exec(firstLine(message))?.[1];
    const { line, col } = aliasPosition(doc, lines, unresolved);
    const excessive = /alias count/i.test(message);
    problems.push({
      file: shown,
      line,
      col,
      message: excessive
        ? `YAML: aliases expand to too much (more than ${MAX_ALIAS_COUNT} times the document: a "billion laughs"?)`
        : `YAML: ${firstLine(message)}`,
      path: '',
    });
    return { ok: false, problems };
  }
  // Every walk below recurses: a document that contains itself or nests without bound stops here.
  const shape = shapeProblem(data);
  if (shape) {
    // A cycle ends at an alias: point at it rather than at the collection holding it.
    const alias = doc.getIn(shape.path, true);
    if (isAlias(alias) && alias.range) {
      const position = lines.linePos(alias.range[0]);
      const where = formatPath(shape.path);
      problems.push({ file: shown, ...position, message: `the lab ${shape.message}`, path: where });
    } else report(shape.path, `the lab ${shape.message}`);
    return { ok: false, problems };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    report([], 'a lab file is a YAML mapping with id, title and steps');
    return { ok: false, problems };
  }

  const parsed = labSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of flattenIssues(parsed.error.issues)) describeIssue(issue, data, report);
  }
  // The checks below read the raw data, so one pass reports structural and semantic problems.
  const dir = path.dirname(absolute);
  const defaults = variableDefaults(data);
  const known: KnownNames = {
    vars: new Set<string>([...Object.keys(defaults), ...BUILTIN_VARS]),
    actions: actionIds(data, report),
  };
  checkVarNames(defaults, report);
  const sampleVars = checkVarDefaults(defaults, known, report);
  checkVariables(data, [], known, report);
  checkUniqueIds(data, report);
  checkMistakes(data, report);
  checkNeeds(data, report);
  checkFileRefs(data, [], dir, known, report);
  await checkExpressions(data, report);
  if (!parsed.success) return { ok: false, problems: sortProblems(problems) };

  const lab = parsed.data;
  await validateChecks(lab, sampleVars, known.vars, options, report);
  await checkOperations(lab, options, report);

  if (problems.length) return { ok: false, problems: sortProblems(problems) };
  const versionDeclared = Object.hasOwn(data, 'version');
  return { ok: true, loaded: { lab, file: absolute, dir, defaults, versionDeclared } };
}

/** Every variable reaches shell lines as an environment variable: its name must be one. */
function checkVarNames(defaults: Record<string, string>, report: Report): void {
  for (const name of Object.keys(defaults)) {
    const problem = varNameProblem(name);
    if (problem) report(['vars', name], problem, true);
  }
}

/** The names a `${...}` may use: variables (the lab's and the built-ins) and action ids. */
interface KnownNames {
  vars: ReadonlySet<string>;
  actions: ReadonlySet<string>;
}

/** The ids of the lab's actions (steps' and cleanup's); a duplicate is reported. */
function actionIds(data: object, report: Report): Set<string> {
  const ids = new Map<string, string>();
  const visit = (actions: unknown[], at: Path) =>
    actions.forEach((action, a) => {
      const id = idOf(action);
      if (id === undefined) return;
      const first = ids.get(id);
      if (first !== undefined)
        report([...at, a, 'id'], `duplicate action id "${id}" (also ${first})`);
      else ids.set(id, formatPath([...at, a]));
    });
  listAt(data, 'steps').forEach((step, s) =>
    visit(listAt(step, 'actions'), ['steps', s, 'actions']),
  );
  visit(listAt(data, 'cleanup'), ['cleanup']);
  return new Set(ids.keys());
}

/**
 * A variable's default may use other variables and the built-ins, never in a cycle and never an
 * action's output. Returns the defaults filled in with sample built-ins, for validating checks.
 */
function checkVarDefaults(
  defaults: Record<string, string>,
  known: KnownNames,
  report: Report,
): Record<string, string> {
  let cycle: readonly string[] | undefined;
  for (const [name, value] of Object.entries(defaults)) {
    for (const used of referencedVars(value)) {
      if (isActionReference(used)) {
        report(
          ['vars', name],
          `the default of \${${name}} uses \${${used}}: a variable cannot use an action's output`,
        );
      } else if (!known.vars.has(used)) {
        report(['vars', name], `the default of \${${name}} uses \${${used}}, which is not defined`);
      }
    }
  }
  try {
    return resolveDefaults(defaults, SAMPLE_BUILTINS);
  } catch (error) {
    if (error instanceof VarCycleError) cycle = error.cycle;
  }
  if (cycle)
    report(
      ['vars', cycle[0]!],
      `the variables' defaults use each other in a cycle: ${cycle.join(' -> ')}`,
      true,
    );
  return { ...SAMPLE_BUILTINS, ...defaults };
}

/**
 * Walks every string; a `${name}` must name a defined variable or a built-in, and
 * `${actions.<id>...}` an action of the lab.
 */
function checkVariables(value: unknown, at: Path, known: KnownNames, report: Report): void {
  if (typeof value === 'string') {
    for (const name of referencedVars(value)) {
      if (isActionReference(name)) {
        const reference = actionReference(name);
        if (!reference) {
          report(at, `\${${name}}: write an action's output as \${actions.<id>.<JMESPath>}`);
        } else if (shownBeforeActions(at)) {
          report(
            at,
            `\${${name}}: an action's output is filled in actions, checks and hints, not in text shown before the action runs: say it in a hint`,
            false,
            `\${${name}}`,
          );
        } else if (!known.actions.has(reference.id)) {
          const ids = [...known.actions];
          report(
            at,
            `\${${name}}: no action has id "${reference.id}"${ids.length ? `; the action ids are ${ids.join(', ')}` : '; no action of the lab has an id: give it one with id:'}`,
            false,
            `\${${name}}`,
          );
        }
      } else if (!known.vars.has(name)) {
        const choices = [...known.vars].join(', ');
        report(
          at,
          `\${${name}} is not defined: define it under vars, or use one of ${choices}`,
          false,
          `\${${name}}`,
        );
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkVariables(item, [...at, index], known, report));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (at.length === 0 && key === 'vars') continue;
      checkVariables(item, [...at, key], known, report);
    }
  }
}

/** The lab's and its steps' titles and instructions: shown as they are, before anything runs. */
function shownBeforeActions(at: Path): boolean {
  if (at.length === 1) return at[0] === 'title' || at[0] === 'description';
  return at.length === 3 && at[0] === 'steps' && (at[2] === 'title' || at[2] === 'instructions');
}

function checkUniqueIds(data: object, report: Report): void {
  const steps = new Map<string, number>();
  listAt(data, 'steps').forEach((step, s) => {
    const id = idOf(step);
    if (id === undefined) return;
    const first = steps.get(id);
    if (first !== undefined) {
      report(['steps', s, 'id'], `duplicate step id "${id}" (also steps[${first}])`);
    } else steps.set(id, s);
    const checks = new Map<string, number>();
    listAt(step, 'checks').forEach((check, c) => {
      const checkId = idOf(check);
      if (checkId === undefined) return;
      const earlier = checks.get(checkId);
      if (earlier !== undefined) {
        report(
          ['steps', s, 'checks', c, 'id'],
          `duplicate check id "${checkId}" in step ${id} (also checks[${earlier}])`,
        );
      } else checks.set(checkId, c);
    });
  });
}

/** A check's `needs` name checks before it: earlier in its step, or in an earlier step. */
function checkNeeds(data: object, report: Report): void {
  const before = new Set<string>();
  listAt(data, 'steps').forEach((step, s) => {
    const inStep = new Set<string>();
    listAt(step, 'checks').forEach((check, c) => {
      listAt(check, 'needs').forEach((need, n) => {
        if (typeof need !== 'string') return;
        if (!inStep.has(need) && !before.has(need)) {
          report(
            ['steps', s, 'checks', c, 'needs', n],
            `needs "${need}", which is not a check before this one (a need is judged first: name a check earlier in this step or in an earlier step)`,
          );
        }
      });
      const id = idOf(check);
      if (id !== undefined) inStep.add(id);
    });
    for (const id of inStep) before.add(id);
  });
}

function listAt(value: unknown, key: string): unknown[] {
  const list =
    value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(list) ? list : [];
}

function idOf(value: unknown): string | undefined {
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The lab's variable defaults, read leniently so that a broken lab still gets every report. */
function variableDefaults(data: object): Record<string, string> {
  const vars = (data as { vars?: unknown }).vars;
  if (!vars || typeof vars !== 'object') return {};
  return Object.fromEntries(
    Object.entries(vars).map(([name, def]) => [
      name,
      typeof def === 'string' ? def : String((def as { default?: unknown } | null)?.default ?? ''),
    ]),
  );
}

/** Every `{ file: path }` must exist inside the lab folder and parse. */
function checkFileRefs(
  value: unknown,
  at: Path,
  dir: string,
  known: KnownNames,
  report: Report,
): void {
  if (isFileRef(value)) {
    let content: unknown;
    try {
      content = readLabDocument(dir, value.file);
    } catch (error) {
      if (!(error instanceof LabFileError)) throw error;
      report([...at, 'file'], error.message);
      return;
    }
    // Variables inside the file are filled in too, so they must be defined as well.
    checkVariables(content, [], known, (_, message) =>
      report([...at, 'file'], `in ${value.file}: ${message}`),
    );
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkFileRefs(item, [...at, index], dir, known, report));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value))
      checkFileRefs(item, [...at, key], dir, known, report);
  }
}

/** A check's type must exist, and its `with` must satisfy that type's schema. */
async function validateChecks(
  lab: Lab,
  vars: Record<string, string>,
  known: ReadonlySet<string>,
  options: LoadOptions,
  report: Report,
): Promise<void> {
  const types = [...options.checkSchemas.keys()].sort();
  lab.steps.forEach((step, s) => {
    step.checks.forEach((check, c) => {
      const at: Path = ['steps', s, 'checks', c];
      const schema = options.checkSchemas.get(check.type);
      if (!schema) {
        const near = closest(check.type, types);
        report(
          [...at, 'type'],
          `unknown check type "${check.type}"${near ? ` (did you mean "${near}"?)` : ''}; known types: ${types.join(', ')}`,
        );
        return;
      }
      // Validate with variables filled in, as the check will see them; undefined ones are reported already.
      const withVars = fillKnown(check.with, vars, known);
      const result = schema.safeParse(withVars);
      if (!result.success) {
        for (const issue of flattenIssues(result.error.issues)) {
          describeIssue({ ...issue, path: ['with', ...issue.path] }, check, (p, m, k) =>
            report([...at, ...p], m, k),
          );
        }
      }
    });
  });
}

async function checkOperations(lab: Lab, options: LoadOptions, report: Report): Promise<void> {
  const lookup = options.serviceOperations;
  if (!lookup) return;
  const references: { at: Path; call: string; input?: unknown }[] = [];
  const waits: { at: Path; wait: string }[] = [];
  const actions = (
    list: readonly Lab['cleanup'][number][] | Lab['steps'][number]['actions'],
    at: Path,
  ) =>
    list.forEach((action, a) => {
      if ('aws' in action)
        references.push({ at: [...at, a, 'aws'], call: action.aws, input: action.input });
      if ('wait' in action) waits.push({ at: [...at, a, 'wait'], wait: action.wait });
    });
  lab.steps.forEach((step, s) => {
    actions(step.actions, ['steps', s, 'actions']);
    step.checks.forEach((check, c) => {
      if (check.type === 'aws.call' && typeof check.with.call === 'string') {
        references.push({
          at: ['steps', s, 'checks', c, 'with', 'call'],
          call: check.with.call,
          input: check.with.input ?? {},
        });
      }
    });
  });
  actions(lab.cleanup, ['cleanup']);
  lab.mistakes.forEach((mistake, m) => {
    actions(mistake.actions, ['mistakes', m, 'actions']);
    actions(mistake.cleanup, ['mistakes', m, 'cleanup']);
  });
  for (const { at, wait } of waits) {
    const [service = '', waiter = ''] = wait.split(':');
    const known = options.waiters?.(service);
    if (!known) continue;
    if (!(await lookup(service))) {
      report(at, `unknown AWS service "${service}"`);
    } else if (!known.includes(waiter)) {
      const near = closest(waiter, [...known]);
      report(
        at,
        `${service} has no waiter ${waiter}${near ? ` (did you mean ${near}?)` : ''}${known.length ? `; its waiters are ${known.join(', ')}` : ''}`,
      );
    }
  }
  for (const { at, call, input } of references) {
    const [service = '', operation = ''] = call.split(':');
    const operations = await lookup(service);
    if (!operations) {
      const services = options.knownServices?.length
        ? `; labwright has clients for ${options.knownServices.join(', ')}`
        : '';
      report(at, `unknown AWS service "${service}"${services}`);
    } else if (!operations.has(operation)) {
      const near = closest(operation, [...operations]);
      report(
        at,
        `${service} has no operation ${operation}${near ? ` (did you mean ${near}?)` : ''}`,
      );
    } else if (options.requiredInput && input && typeof input === 'object') {
      const missing = options
        .requiredInput(service, operation)
        .filter((member) => !Object.hasOwn(input, member));
      if (missing.length) {
        report(
          at,
          `${call} requires ${missing.join(', ')} in its input; without it the call fails with a ValidationError`,
        );
      }
    }
  }
}

/** Interpolates the variables that are defined, leaving the rest for their own report. */
function fillKnown(
  value: unknown,
  vars: Record<string, string>,
  known: ReadonlySet<string>,
): unknown {
  try {
    return interpolate(value, vars);
  } catch {
    const safe = Object.fromEntries([...known].map((name) => [name, vars[name] ?? name]));
    try {
      return interpolate(value, safe);
    } catch {
      return value;
    }
  }
}

/** Where the alias to `source` is (or the first alias): where to look when aliases fail. */
function aliasPosition(
  doc: Document,
  lines: LineCounter,
  source?: string,
): { line: number; col: number } {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range && (source === undefined || node.source === source)) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
}

function sortProblems(problems: LabProblem[]): LabProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
