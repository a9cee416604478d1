/**
 * CloudTrail's events in the state folder (trail/ segments beside state.json): a snapshot writes
 * only what the trail gained, the folder holds only the segments state.json lists, and a restart
 * finds the same history. A segment that is damaged or missing, a snapshot that could not be
 * written, and a state folder of the previous format lose nothing. Real SDK clients, real files.
 */
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { MAX_EVENTS, type TrailEvent } from '../../src/sandbox/trail.js';
import { quietLog, stateDirs, trustSageMaker } from './helpers.js';
import { clients } from './service-clients.js';

const newDir = stateDirs('trail');

interface StateFile {
  format: number;
  seq: number;
  trail: { file: string; events: number }[];
}
const stateFile = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
const segmentEvents = (dir: string, file: string) =>
  readFileSync(join(dir, 'trail', file), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as TrailEvent).eventID);
const eventIds = (sandbox: Sandbox) => sandbox.core.events.all().map((e) => e.eventID);

/** A sandbox on `dir` with the role Exec. */
async function started(dir: string, log = quietLog().log): Promise<Sandbox> {
  const sandbox = await startSandbox({ stateDir: dir, log });
  await clients(sandbox.endpoint).iam.send(
    new CreateRoleCommand({ RoleName: 'Exec', AssumeRolePolicyDocument: trustSageMaker }),
  );
  return sandbox;
}

/** `count` GetRole calls, 20 at a time: one CloudTrail event each. */
async function calls(sandbox: Sandbox, count: number): Promise<void> {
  const { iam } = clients(sandbox.endpoint);
  for (let sent = 0; sent < count; sent += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - sent) }, () =>
        iam.send(new GetRoleCommand({ RoleName: 'Exec' })),
      ),
    );
  }
}

/** Events made up in the trail (as the core records them), for bounds a test cannot call to. */
function appendEvents(sandbox: Sandbox, count: number, prefix: string): void {
  const template = sandbox.core.events.all().at(-1)!;
  for (let n = 0; n < count; n++) {
    sandbox.core.events.append({ ...template, eventID: `${prefix}-${n}` });
  }
}

describe('the trail in the state folder', () => {
  it('saves what each snapshot adds, once, and keeps only the segments state.json lists', async () => {
    const dir = newDir();
    const sandbox = await started(dir);
    let before: string[];
    try {
      await calls(sandbox, 50);
      await sandbox.core.snapshot();
      const first = stateFile(dir);
      expect(first.format).toBe(2);
      expect(first.trail).toHaveLength(1);
      await calls(sandbox, 30);
      await sandbox.core.snapshot();
      const second = stateFile(dir);
      // The first segment as it was, and one more with the 30 new events.
      expect(second.trail.slice(0, 1)).toEqual(first.trail);
      expect(second.trail[1]!.events).toBe(30);
      const saved = second.trail.flatMap((segment) => segmentEvents(dir, segment.file));
      expect(saved).toEqual(eventIds(sandbox));
      // Past the trail's bound, segments holding only dropped events go.
      appendEvents(sandbox, MAX_EVENTS - 40, 'a');
      await sandbox.core.snapshot();
      appendEvents(sandbox, 100, 'b');
      await sandbox.core.snapshot();
      const third = stateFile(dir);
      expect(third.trail.map((segment) => segment.file)).not.toContain(first.trail[0]!.file);
      expect(readdirSync(join(dir, 'trail')).sort()).toEqual(
        third.trail.map((segment) => segment.file).sort(),
      );
      before = eventIds(sandbox);
      expect(before).toHaveLength(MAX_EVENTS);
    } finally {
      await sandbox.stop();
    }
    // A crash's leftover segment is not part of the state, and goes at the next start.
    writeFileSync(join(dir, 'trail', '999.jsonl'), '{"eventID":"stray"}\n');
    const again = await startSandbox({ stateDir: dir, log: quietLog().log });
    try {
      expect(eventIds(again)).toEqual(before);
      expect(readdirSync(join(dir, 'trail'))).not.toContain('999.jsonl');
    } finally {
      await again.stop();
    }
  });

  it.each([
    ['damaged', (file: string) => writeFileSync(file, '{"eventID":"cut'), true],
    ['missing', (file: string) => rmSync(file), false],
    [
      'not events',
      (file: string) => {
        const count = readFileSync(file, 'utf8').trim().split('\n').length;
        writeFileSync(file, 'null\n'.repeat(count));
      },
      true,
    ],
  ])(
    'rebuilds state and trail from the journal when a segment is %s, and keeps the evidence aside',
    async (_what, damage, keptAside) => {
      const dir = newDir();
      const first = await started(dir);
      await calls(first, 40);
      await clients(first.endpoint).s3.send(new CreateBucketCommand({ Bucket: 'data' }));
      const history = eventIds(first);
      await first.stop();
      const segment = stateFile(dir).trail[0]!.file;
      damage(join(dir, 'trail', segment));

      const { lines, log } = quietLog();
      const second = await startSandbox({ stateDir: dir, log });
      try {
        expect(eventIds(second)).toEqual(history);
        const roles = await clients(second.endpoint).iam.send(new ListRolesCommand({}));
        expect(roles.Roles?.map((r) => r.RoleName)).toEqual(['Exec']);
        const stateAside = readdirSync(dir).filter((n) => n.startsWith('state.json.damaged-'));
        expect(stateAside).toHaveLength(1);
        const segmentAside = readdirSync(join(dir, 'trail')).filter((n) =>
          n.startsWith(`${segment}.damaged-`),
        );
        expect(segmentAside).toHaveLength(keptAside ? 1 : 0);
        expect(lines.join('\n')).toContain(`trail/${segment}`);
        expect(lines.join('\n')).toContain(stateAside[0]);
      } finally {
        await second.stop();
      }
    },
  );

  it('says once that a snapshot could not be written, and the next one saves the whole trail', async () => {
    const dir = newDir();
    const { lines, log } = quietLog();
    const sandbox = await started(dir, log);
    let history: string[];
    try {
      await calls(sandbox, 40);
      await sandbox.core.snapshot();
      // trail/ is a file for a moment: the next segment cannot be written.
      rmSync(join(dir, 'trail'), { recursive: true });
      writeFileSync(join(dir, 'trail'), '');
      await calls(sandbox, 20);
      await sandbox.core.snapshot();
      expect(lines.filter((l) => l.includes('could not save a snapshot'))).toHaveLength(1);
      rmSync(join(dir, 'trail'));
      mkdirSync(join(dir, 'trail'), { mode: 0o700 });
      await calls(sandbox, 20);
      await sandbox.core.snapshot();
      const state = stateFile(dir);
      expect(state.trail).toHaveLength(1);
      expect(segmentEvents(dir, state.trail[0]!.file)).toEqual(eventIds(sandbox));
      history = eventIds(sandbox);
    } finally {
      await sandbox.stop();
    }
    const again = await startSandbox({ stateDir: dir, log: quietLog().log });
    try {
      expect(eventIds(again)).toEqual(history);
    } finally {
      await again.stop();
    }
  });

  it('reads a state folder of the previous format, events inside state.json', async () => {
    const dir = newDir();
    const first = await started(dir);
    await calls(first, 30);
    const history = first.core.events.all().slice();
    await first.stop();
    const { trail: _trail, ...state } = stateFile(dir);
    writeFileSync(
      join(dir, 'state.json'),
      JSON.stringify({ ...state, format: 1, events: history }),
    );
    rmSync(join(dir, 'trail'), { recursive: true });

    const { lines, log } = quietLog();
    const second = await startSandbox({ stateDir: dir, log });
    try {
      expect(lines).toEqual([]);
      expect(second.core.events.all()).toEqual(history);
    } finally {
      await second.stop();
    }
    // Its first snapshot is of the new format, with every event.
    const saved = stateFile(dir);
    expect(saved.format).toBe(2);
    expect(saved.trail.flatMap((segment) => segmentEvents(dir, segment.file))).toEqual(
      history.map((e) => e.eventID),
    );
  });
});
