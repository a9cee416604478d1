import { CsvError, parse } from 'csv-parse/sync';
import { statSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_VARS } from '../lab/vars.js';

/**
 * The roster: a CSV with one row a student. `id` names the student; exactly one of
 * `profile`, `role_arn` or `endpoint` says how to reach their work; `region`,
 * `external_id` and `dir` (the student's own folder, for checks that read their files,
 * such as their CloudFormation template) are optional; every other column is a lab variable
 * for that student.
 */

export type StudentAccess =
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'profile'; profile: string }
  | { kind: 'role'; roleArn: string; externalId?: string }
  /** A hand-in file written by `labwright submit` (absolute path). */
  | { kind: 'submission'; file: string };

export interface RosterStudent {
  id: string;
  /** Line of the roster where the student's row starts (1 is the header). */
  line: number;
  access: StudentAccess;
  region?: string;
  /**
   * The student's own folder (absolute), where checks look for their files; without it they
   * see an empty folder, never the instructor's.
   */
  dir?: string;
  /** Lab variables set by the roster's extra columns; a blank cell keeps the lab's default. */
  vars: Record<string, string>;
  /** Why this student cannot be graded, known before grading (their error row). */
  refusal?: string;
}

export type RosterResult =
  { ok: true; students: RosterStudent[] } | { ok: false; problems: string[] };

export interface RosterOptions {
  /** How the file is named in messages, e.g. roster.csv */
  file: string;
  /** Variables the lab defines: the only extra columns a roster may have. */
  labVars: ReadonlySet<string>;
  labId: string;
  /** What a relative `dir` is relative to: the roster's own folder. */
  baseDir: string;
}

const ACCESS_COLUMNS = ['endpoint', 'profile', 'role_arn', 'submission'] as const;
const KNOWN_COLUMNS = new Set<string>(['id', ...ACCESS_COLUMNS, 'external_id', 'region', 'dir']);
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export function parseRoster(text: string, options: RosterOptions): RosterResult {
  const problems: string[] = [];
  const at = (line: number, message: string) =>
    problems.push(`${options.file}:${line}: ${message}`);

  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 1;
      at(line, `not valid CSV: ${error.message.replace(/ at line \d+/, '')}`);
      return { ok: false, problems };
    }
    throw error;
  }

  const [header, ...body] = rows;
  if (!header) {
    at(
      1,
      'the roster is empty: it needs a header row (id, endpoint|profile|role_arn, ...) and a row per student',
    );
    return { ok: false, problems };
  }
  const headerLine = startLine(header.record, header.info.lines);
  const columns = header.record.map((name) => name.trim());
  const columnOf = checkHeader(columns, options, (message) => at(headerLine, message));
  if (problems.length) return { ok: false, problems };

  const students: RosterStudent[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of body) {
    const line = startLine(record, info.lines);
    const problem = (message: string) => at(line, message);
    if (record.length !== columns.length) {
      problem(`this row has ${plural(record.length, 'field')}, the header has ${columns.length}`);
      continue;
    }
    const cell = (name: string) => {
      const index = columnOf.get(name);
      return index === undefined ? '' : (record[index] ?? '').trim();
    };
    const student = readStudent(cell, columnOf, line, options.baseDir, problem);
    if (!student) continue;
    const first = seen.get(student.id);
    if (first !== undefined) {
      problem(`student id "${student.id}" is already used on line ${first}`);
      continue;
    }
    seen.set(student.id, line);
    students.push(student);
  }
  if (!problems.length && !students.length) {
    at(headerLine, 'the roster has a header but no students');
  }
  return problems.length ? { ok: false, problems } : { ok: true, students };
}

/** Checks the header; returns the index of each column by name (reserved names lowercased). */
function checkHeader(
  columns: string[],
  options: RosterOptions,
  problem: (message: string) => void,
): Map<string, number> {
  const columnOf = new Map<string, number>();
  columns.forEach((raw, index) => {
    const reserved = raw.toLowerCase();
    const name = KNOWN_COLUMNS.has(reserved) ? reserved : raw;
    if (!name) {
      problem(`column ${index + 1} has no name`);
    } else if (columnOf.has(name)) {
      problem(`column "${name}" appears twice`);
    } else if (!KNOWN_COLUMNS.has(name) && (BUILTIN_VARS as readonly string[]).includes(name)) {
      problem(`column "${name}" cannot be set by a roster: the student's target supplies it`);
    } else if (!KNOWN_COLUMNS.has(name) && !options.labVars.has(name)) {
      const known = [...options.labVars].join(', ') || 'none';
      problem(
        `column "${name}" is not a variable of lab ${options.labId} (its variables: ${known}; ` +
          `roster columns: ${[...KNOWN_COLUMNS].join(', ')})`,
      );
    }
    columnOf.set(name, index);
  });
  if (!columnOf.has('id')) problem('the header has no "id" column');
  if (!ACCESS_COLUMNS.some((name) => columnOf.has(name))) {
    problem(
      'the header needs a column saying how to reach each student: endpoint, profile, role_arn or submission',
    );
  }
  return columnOf;
}

function readStudent(
  cell: (name: string) => string,
  columnOf: ReadonlyMap<string, number>,
  line: number,
  baseDir: string,
  problem: (message: string) => void,
): RosterStudent | undefined {
  const id = cell('id');
  if (!id) {
    problem('the student id is empty');
    return undefined;
  }
  if (/[\p{Cc}]/u.test(id)) {
    problem(`student id "${id}" contains a control character`);
    return undefined;
  }
  const given = ACCESS_COLUMNS.filter((name) => cell(name) !== '');
  if (given.length !== 1) {
    problem(
      given.length === 0
        ? `student ${id} has no endpoint, profile, role_arn or submission: give exactly one`
        : `student ${id} has ${given.join(' and ')}: give exactly one of endpoint, profile, role_arn or submission`,
    );
    return undefined;
  }
  const access = readAccess(given[0]!, cell, id, baseDir, problem);
  const region = cell('region');
  if (region && !REGION.test(region)) {
    problem(`student ${id}: "${region}" is not an AWS region name like us-east-1`);
    return undefined;
  }
  if (!access) return undefined;
  const dirCell = cell('dir');
  const dir = dirCell ? path.resolve(baseDir, dirCell) : undefined;
  if (dir && !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    problem(`student ${id}: dir "${dirCell}" is not a folder (relative to the roster's folder)`);
    return undefined;
  }

  const vars: Record<string, string> = {};
  for (const name of columnOf.keys()) {
    if (KNOWN_COLUMNS.has(name)) continue;
    const value = cell(name);
    if (value) vars[name] = value;
  }
  return { id, line, access, vars, ...(region ? { region } : {}), ...(dir ? { dir } : {}) };
}

function readAccess(
  kind: (typeof ACCESS_COLUMNS)[number],
  cell: (name: string) => string,
  id: string,
  baseDir: string,
  problem: (message: string) => void,
): StudentAccess | undefined {
  const externalId = cell('external_id');
  if (externalId && kind !== 'role_arn') {
    problem(
      `student ${id} has an external_id but no role_arn: an external id goes with a role to assume`,
    );
    return undefined;
  }
  if (kind === 'endpoint') {
    const endpoint = cell('endpoint');
    if (!isHttpUrl(endpoint)) {
      problem(`student ${id}: endpoint "${endpoint}" is not an http:// or https:// URL`);
      return undefined;
    }
    return { kind: 'endpoint', endpoint: endpoint.replace(/\/+$/, '') };
  }
  if (kind === 'profile') return { kind: 'profile', profile: cell('profile') };
  if (kind === 'submission') {
    const file = path.resolve(baseDir, cell('submission'));
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
      problem(
        `student ${id}: submission "${cell('submission')}" is not a file (relative to the roster's folder)`,
      );
      return undefined;
    }
    return { kind: 'submission', file };
  }
  const roleArn = cell('role_arn');
  if (!ROLE_ARN.test(roleArn)) {
    problem(
      `student ${id}: role_arn "${roleArn}" is not a role ARN like arn:aws:iam::123456789012:role/Grader`,
    );
    return undefined;
  }
  if (externalId && !EXTERNAL_ID.test(externalId)) {
    problem(
      `student ${id}: external_id must be 2 to 1224 characters of letters, digits and +=,.@:/-`,
    );
    return undefined;
  }
  return { kind: 'role', roleArn, ...(externalId ? { externalId } : {}) };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** csv-parse reports the line a record ends on; a quoted field may span lines. */
function startLine(record: string[], endLine: number): number {
  const inner = record.reduce((sum, field) => sum + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
  return endLine - inner;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
