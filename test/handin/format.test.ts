/**
 * The hand-in file: what `submit` writes unpacks to what it packed; any edit outside the journal
 * breaks the seal; files that are not hand-ins, or that unpack to too much, are said so; and the
 * student's files inside one can only ever be laid out inside the grader's temporary folder.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HandInError,
  MAGIC,
  packHandIn,
  readHandInHeader,
  sealOf,
  unpackHandIn,
  type HandInBody,
  type HandInHeader,
} from '../../src/handin/format.js';
import { safeRelative, writeStudentFiles } from '../../src/handin/student-files.js';
import { verifyHandIn } from '../../src/handin/verify.js';
import { sealRecord, type JournalRecord } from '../../src/sandbox/journal.js';

const header: HandInHeader = {
  lab: 'sagemaker-iam-roles',
  labVersion: '1',
  student: 'ada',
  submittedAt: '2026-11-30T00:00:00.000Z',
};

function journal(): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const [index, operation] of ['CreateRole', 'PutRolePolicy'].entries()) {
    const { line } = sealRecord(
      {
        at: 1_790_000_000_000 + index,
        kind: 'call',
        service: 'iam',
        operation,
        input: { RoleName: 'R', PolicyDocument: '{"Statement":[]}' },
        context: {
          region: 'us-east-1',
          accessKeyId: 'test',
          sourceIp: '127.0.0.1',
          userAgent: 'aws-cli/2',
          requestId: `r${index}`,
        },
        draws: [],
        outcome: {},
      },
      index + 1,
      records.at(-1)?.hash ?? '',
    );
    records.push(JSON.parse(line) as JournalRecord);
  }
  return records;
}

function body(): Omit<HandInBody, 'seal'> {
  return {
    vars: { bucket: 'ada-bucket' },
    region: 'us-east-1',
    labFilesHash: 'f'.repeat(64),
    progress: {
      startedAt: '2026-11-29T23:00:00.000Z',
      completedAt: null,
      hintsSeen: { 'create-role/role-exists': 1 },
      answers: { 'intro/quiz': 2 },
      hintsUsed: 1,
      timeTakenMs: 3_600_000,
    },
    journal: journal(),
    blobs: {},
    files: { 'sagemaker-role.yaml': Buffer.from('Resources: {}\n').toString('base64') },
    report: null,
  };
}

let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});

describe('the hand-in file', () => {
  it('unpacks to what was packed, with a clear header line', () => {
    const bytes = packHandIn(header, body());
    expect(bytes.toString('utf8', 0, MAGIC.length)).toBe(MAGIC);
    expect(readHandInHeader(bytes).header).toEqual(header);
    const handIn = unpackHandIn(bytes);
    expect(handIn.header).toEqual(header);
    expect(handIn.body.journal).toEqual(body().journal);
    expect(handIn.body.seal).toBe(sealOf(header, body()));
    expect(() => verifyHandIn(handIn, { id: 'sagemaker-iam-roles', version: '1' })).not.toThrow();
  });

  it('breaks its seal when anything outside the journal is edited', () => {
    const handIn = unpackHandIn(packHandIn(header, body()));
    const lab = { id: 'sagemaker-iam-roles', version: '1' };
    const edits: ((h: typeof handIn) => void)[] = [
      (h) => (h.body.vars.bucket = 'someone-elses-bucket'),
      (h) => (h.body.progress.answers['intro/quiz'] = 1),
      (h) => (h.body.progress.hintsSeen = {}),
      (h) => (h.body.files['sagemaker-role.yaml'] = Buffer.from('x').toString('base64')),
      (h) => (h.header.student = 'grace'),
      (h) => h.body.journal.pop(),
    ];
    for (const edit of edits) {
      const copy = structuredClone(handIn);
      edit(copy);
      expect(() => verifyHandIn(copy, lab), edit.toString()).toThrow(/seal does not match/);
    }
  });

  it('names the record whose content was changed', () => {
    const handIn = unpackHandIn(packHandIn(header, body()));
    handIn.body.journal[1]!.input = { RoleName: 'R', PolicyDocument: '{"Statement":["*"]}' };
    expect(() => verifyHandIn(handIn, { id: 'sagemaker-iam-roles', version: '1' })).toThrow(
      'record 2 (iam:PutRolePolicy): was changed after it was recorded',
    );
  });

  it('says what is wrong with files that are not hand-ins', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('hello\n'), /not a labwright hand-in/],
      [Buffer.from(`${MAGIC} 9 {}\n`), /format 9, which this labwright does not read/],
      [Buffer.from(`${MAGIC} 1 {nope\n`), /header is not JSON/],
      [Buffer.from(`${MAGIC} 1 {"lab":"x"}\n`), /header is not valid/],
      [
        Buffer.concat([packHandIn(header, body()).subarray(0, 200)]),
        /does not unpack|not in labwright's format/,
      ],
      [
        Buffer.concat([
          Buffer.from(`${MAGIC} 1 ${JSON.stringify(header)}\n`),
          brotliCompressSync(Buffer.alloc(3 * 1024 * 1024, 0x20)),
        ]),
        /unpacks to more than 2 MB/,
      ],
    ];
    // The limit is 512 MB; 2 MB here, so the test does not have to make 512 MB.
    const limits = { maxBodyBytes: 2 * 1024 * 1024 };
    for (const [bytes, message] of cases) {
      expect(() => unpackHandIn(bytes, limits)).toThrow(HandInError);
      expect(() => unpackHandIn(bytes, limits)).toThrow(message);
    }
  });
});

describe("the student's files", () => {
  it('keeps paths inside the folder', () => {
    expect(safeRelative('sagemaker-role.yaml')).toBe('sagemaker-role.yaml');
    expect(safeRelative('./infra/main.tf')).toBe('infra/main.tf');
    expect(safeRelative('infra/')).toBe('infra');
    for (const outside of ['../x', '/etc/passwd', 'a/../../x', 'C:\\x', '..', '.', 'a\0b']) {
      expect(safeRelative(outside), outside).toBeUndefined();
    }
  });

  it('lays out only plain files inside the folder, and refuses the rest', async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'labwright-files-'));
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    await writeStudentFiles(temp, { 'infra/main.tf': b64('resource {}'), 'a.yaml': b64('a') });
    expect((await readdir(temp)).sort()).toEqual(['a.yaml', 'infra']);
    expect(await readFile(path.join(temp, 'infra/main.tf'), 'utf8')).toBe('resource {}');
    for (const name of ['../escape', '/abs', 'x/../../escape', 'infra/../a.yaml']) {
      await expect(writeStudentFiles(temp, { [name]: b64('x') }), name).rejects.toThrow(
        /outside the student's folder/,
      );
    }
    // A file where a folder is needed, or twice: refused, not overwritten.
    await expect(writeStudentFiles(temp, { 'a.yaml/b': b64('x') })).rejects.toThrow(HandInError);
    await expect(writeStudentFiles(temp, { 'a.yaml': b64('x') })).rejects.toThrow(/EEXIST/);
  });
});
