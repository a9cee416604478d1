/**
 * The sandbox core: state, identities and credentials, authorization, CloudTrail, and the one
 * path every call takes, whether it came over the wire or from core.invoke. Calls and background
 * steps take effect one at a time, each as one journal record with its clock and random draws,
 * so that replaying the journal (src/sandbox/replay.ts) makes the same state.
 */
import { createHash } from 'node:crypto';
import { evaluateRequest } from '../iam/index.js';
import {
  forgetResources,
  parseForgetRequest,
  type ForgetRequest,
  type ForgetResult,
} from './forget.js';
import { Background } from './background.js';
import { dict, lookup } from './dict.js';
import { decodeInput, encodeInput } from './journal-input.js';
import {
  inputBlobIds,
  sealRecord,
  type JournalRecord,
  type JournalWriter,
  type RecordContent,
  type UnsealedRecord,
} from './journal.js';
import { authorizeCaller } from './auth/authorize.js';
import type { KnownKey } from './auth/sigv4.js';
import * as ids from './ids.js';
import { isServiceName, ServiceRegistry } from './registry.js';
import { findRole, parsedPolicy, roleNameFromArn, type RoleRecord } from './services/iam-state.js';
import { serviceKeyMayCall, servicePrincipalOf } from './services/service-keys.js';
import type { FileStateStore, SnapshotPlan } from './store.js';
import { eventTime, isReadOnlyOperation, type EventLog } from './trail.js';
import {
  AwsError,
  SANDBOX_ACCOUNT,
  SANDBOX_REGION,
  type Caller,
  type PolicyDocument,
  type RequestContext,
  type SandboxCore,
  type SandboxIds,
  type SandboxTiming,
  type ServiceName,
} from './types.js';

export const ROOT_ARN = `arn:aws:iam::${SANDBOX_ACCOUNT}:root`;

export const DEFAULT_TIMING: SandboxTiming = { notebookTransitionMs: 3000, trainingJobMs: 15000 };

/** Temporary credentials issued by AssumeRole, as kept in the `sts` store. */
export interface IssuedKey {
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  roleArn: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  invokedBy?: string;
}

interface StsState {
  keys: Record<string, IssuedKey>;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
  caller: Caller & { kind: 'assumed-role' };
}

export function rootCaller(accessKeyId = 'test'): Caller {
  return {
    kind: 'root',
    accountId: SANDBOX_ACCOUNT,
    arn: ROOT_ARN,
    principalId: SANDBOX_ACCOUNT,
    accessKeyId,
  };
}

/**
 * A new snapshot is taken once this many records follow the last one AND the journal has grown
 * by at least the last snapshot's size since: the snapshot holds the trail (up to 10,000 events),
 * so a fixed interval alone would rewrite megabytes every thousand calls. Growing with the
 * snapshot keeps its cost a constant share of what is journaled, and the replay at start within
 * about one snapshot's worth of records (the rule of Redis's AOF rewrite).
 */
const SNAPSHOT_EVERY = 1000;

/** labwright's own clients say so in their user agent; their reads are not journaled. */
const LABWRIGHT_AGENT = /(^|\s)labwright\//;

/** The record being made (or replayed): its clock, and its random draws so far. */
interface OpenRecord {
  at: number;
  draws: string[];
  /** Replaying: the next recorded draw to hand out. */
  replayFrom?: number;
}

/** A replayed record did not do what the journal says it did. */
export class ReplayMismatch extends Error {
  constructor(
    readonly seq: number,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`record ${seq}: the journal says ${expected}, replaying it gave ${got}`);
    this.name = 'ReplayMismatch';
  }
}

export class Core implements SandboxCore {
  readonly registry = new ServiceRegistry();
  readonly background: Background;
  /** Where records go; none for a sandbox kept in memory. */
  journal: JournalWriter | undefined;
  /** The last record's seq and hash: the next record follows them. */
  head = { seq: 0, hash: '' };
  private turn: Promise<unknown> = Promise.resolve();
  private open: OpenRecord | undefined;
  /** Wake records of background workers now running, by worker key. */
  /** Background steps now running, by worker key; `record` is the live step's record (none replaying). */
  private readonly steps = new Map<string, { record?: UnsealedRecord; release: () => void }>();
  private writeFailureShown = false;
  /** The head when the last snapshot was taken (or planned). */
  snapshotSeq = 0;
  /** Size of the last snapshot, and of the journal lines appended since it was planned. */
  snapshotBytes = 0;
  private journaledSinceSnapshot = 0;
  /** Snapshot files being written, one after another. */
  private snapshotWrites: Promise<void> = Promise.resolve();
  /** Resolves when the last record committed is on disk. */
  private lastDurable: Promise<void> = Promise.resolve();

  constructor(
    readonly store: FileStateStore,
    readonly timing: SandboxTiming,
    readonly events: EventLog,
    private readonly log: (message: string) => void,
  ) {
    this.background = new Background({
      now: () => this.now(),
      begin: (service, key) => this.beginStep(service, key),
      end: (key) => this.endStep(key),
    });
  }

  now(): number {
    return this.open?.at ?? Date.now();
  }

  /** A random value, recorded; replaying, the recorded one. */
  private draw(make: () => string): string {
    const open = this.open;
    if (open?.replayFrom !== undefined) {
      const value = open.draws[open.replayFrom];
      if (value === undefined)
        throw new Error('the record drew more random values than it recorded');
      open.replayFrom++;
      return value;
    }
    const value = make();
    open?.draws.push(value);
    return value;
  }

  readonly ids: SandboxIds = {
    requestId: () => this.draw(ids.requestId),
    uniqueId: (prefix) => this.draw(() => ids.uniqueId(prefix)),
    temporaryAccessKeyId: () => this.draw(ids.temporaryAccessKeyId),
    secretAccessKey: () => this.draw(ids.secretAccessKey),
    sessionToken: () => this.draw(ids.sessionToken),
    opaqueId: () => this.draw(() => ids.requestId().replace(/-/g, '')),
    uuid: () => this.draw(ids.requestId),
    randomBytes: (length) => this.draw(() => ids.randomBase64(length)),
  };

  /** Runs `work` as the open record: its clock and its random draws are `open`'s. */
  private async within<T>(open: OpenRecord, work: () => T | Promise<T>): Promise<T> {
    this.open = open;
    try {
      return await work();
    } finally {
      this.open = undefined;
    }
  }

  /** Runs `work` when every call and step before it is done: the state changes one at a time. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** The staged bodies an encoded input names: the record carries them (see blobs.ts). */
  private inlineBodies(encoded: unknown): { inline?: Record<string, string> } {
    const blobs = this.store.blobs;
    if (!blobs.staged) return {};
    let inline: Record<string, string> | undefined;
    for (const id of inputBlobIds(encoded)) {
      const data = blobs.staged(id);
      if (data) (inline ??= {})[id] = data.toString('base64');
    }
    return inline ? { inline } : {};
  }

  /**
   * Seals a record after the head and queues it for the journal; resolves when it is durable, or
   * with `lazy` (a record no one waits for) once written: the next durable record syncs it.
   */
  private commit(record: RecordContent, options: { lazy?: boolean } = {}): Promise<void> {
    const seq = this.head.seq + 1;
    const { hash, line } = sealRecord(record, seq, this.head.hash);
    this.head = { seq, hash };
    if (!this.journal) return Promise.resolve();
    const durable = this.journal.append(line, { sync: !options.lazy });
    this.journaledSinceSnapshot += line.length;
    if (
      this.head.seq - this.snapshotSeq >= SNAPSHOT_EVERY &&
      this.journaledSinceSnapshot >= this.snapshotBytes
    ) {
      this.snapshotSeq = this.head.seq;
      this.journaledSinceSnapshot = 0;
      void this.snapshot();
    }
    this.lastDurable = durable;
    return durable;
  }

  /**
   * Saves the state as of the journal's head, so a start replays only what comes after it. Taken
   * in turn, only while no background work runs (a worker's progress lives in its code, not in
   * the state); written to disk after the turn is given back, once the records it follows are
   * durable. Resolves when it is on disk (or reported as not saved).
   */
  async snapshot(): Promise<void> {
    const taken = await this.inTurn(async () => this.takeSnapshot());
    if (taken) await this.snapshotWrites;
  }

  /** Serializes the state now and queues its write behind any earlier one. */
  private takeSnapshot(): boolean {
    if (!this.journal || !this.background.idle) return false;
    let plan: SnapshotPlan;
    try {
      plan = this.store.planSnapshot(this.head.seq, this.head.hash, this.events);
    } catch (error) {
      this.snapshotFailed(error);
      return false;
    }
    const seq = this.head.seq;
    const recordsDurable = this.lastDurable;
    this.snapshotWrites = this.snapshotWrites.then(async () => {
      try {
        // A snapshot never gets ahead of the journal, and the records before it are not replayed:
        // the bodies they carry must be files.
        const written = await recordsDurable.then(
          () => true,
          () => false,
        );
        if (!written) {
          this.store.abandonSnapshot(plan);
          return;
        }
        // The last records may be read-only ones, written but not yet synced.
        await this.journal?.sync();
        await this.store.blobs.flush?.();
        const bytes = await this.store.writeSnapshot(plan);
        if (bytes === undefined) return;
        this.snapshotBytes = bytes;
        this.snapshotSeq = Math.max(this.snapshotSeq, seq);
      } catch (error) {
        this.store.abandonSnapshot(plan);
        this.snapshotFailed(error);
      }
    });
    return true;
  }

  private snapshotFailed(error: unknown): void {
    this.log(
      `could not save a snapshot of the state (the journal still holds it): ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private writeFailed(error: unknown): AwsError {
    if (!this.writeFailureShown) {
      this.writeFailureShown = true;
      this.log(
        `could not write the journal (${error instanceof Error ? error.message : String(error)}): calls fail until it can be written again`,
      );
    }
    return new AwsError(
      'InternalFailure',
      'The request processing has failed because the sandbox could not save it.',
      500,
      false,
    );
  }

  private beginStep(service: string, key: string): Promise<void> {
    return new Promise<void>((begun) => {
      void this.inTurn(
        () =>
          new Promise<void>((release) => {
            const at = Date.now();
            const record: UnsealedRecord = {
              seq: 0,
              at,
              kind: 'task',
              service,
              operation: 'Wake',
              input: { key },
              draws: [],
              outcome: {},
              prev: '',
            };
            this.open = { at, draws: record.draws };
            this.steps.set(key, { record, release });
            begun();
          }),
      );
    });
  }

  private endStep(key: string): void {
    const step = this.steps.get(key);
    if (!step) return;
    this.steps.delete(key);
    if (step.record) {
      this.open = undefined;
      const { seq: _seq, prev: _prev, ...record } = step.record;
      this.commit(record).catch((error: unknown) => this.writeFailed(error));
    }
    step.release();
  }

  private sts(): StsState {
    // Keyed by access key ids a client sends: no prototype, so `constructor` is just an unknown key.
    return this.store.get<StsState>('sts', () => ({
      keys: dict<IssuedKey>(),
    }));
  }

  /**
   * Who an access key is. Issued (ASIA) keys carry their secret and expiry; an unknown ASIA key
   * is refused. Any other key (`test`, or an AKIA key left in a student's environment) is the
   * account root with any secret, LocalStack's convention, so existing setups keep working.
   */
  resolveKey(accessKeyId: string): KnownKey | undefined {
    const keys = this.sts().keys;
    const issued = lookup(keys, accessKeyId);
    if (issued) {
      return {
        caller: this.sessionCaller(accessKeyId, issued),
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken,
        expiration: new Date(issued.expiration),
      };
    }
    if (accessKeyId.startsWith('ASIA')) return undefined;
    return { caller: rootCaller(accessKeyId) };
  }

  private sessionCaller(accessKeyId: string, key: IssuedKey): Caller & { kind: 'assumed-role' } {
    const caller: Caller & { kind: 'assumed-role' } = {
      kind: 'assumed-role',
      accountId: SANDBOX_ACCOUNT,
      arn: `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/${key.roleName}/${key.sessionName}`,
      principalId: `${key.roleId}:${key.sessionName}`,
      accessKeyId,
      roleName: key.roleName,
      roleArn: key.roleArn,
      sessionName: key.sessionName,
    };
    if (key.invokedBy) caller.invokedBy = key.invokedBy;
    return caller;
  }

  /** Real temporary credentials for a role session. */
  issueCredentials(
    role: RoleRecord,
    sessionName: string,
    durationSeconds: number,
    invokedBy?: string,
  ): IssuedCredentials {
    const keys = this.sts().keys;
    const now = this.now();
    for (const [id, key] of Object.entries(keys)) {
      if (Date.parse(key.expiration) < now) delete keys[id];
    }
    const accessKeyId = this.ids.temporaryAccessKeyId();
    const expiration = new Date(now + durationSeconds * 1000);
    const record: IssuedKey = {
      secretAccessKey: this.ids.secretAccessKey(),
      sessionToken: this.ids.sessionToken(),
      expiration: expiration.toISOString(),
      roleArn: role.Arn,
      roleName: role.RoleName,
      roleId: role.RoleId,
      sessionName,
    };
    if (invokedBy) record.invokedBy = invokedBy;
    keys[accessKeyId] = record;
    this.store.changed();
    return {
      AccessKeyId: accessKeyId,
      SecretAccessKey: record.secretAccessKey,
      SessionToken: record.sessionToken,
      Expiration: expiration,
      caller: this.sessionCaller(accessKeyId, record),
    };
  }

  /** Whether a role's trust policy lets `principal` (caller ARN or service) assume it. */
  async trustAllows(role: RoleRecord, principal: Caller | string): Promise<boolean> {
    const trust = parsedPolicy(role.AssumeRolePolicyDocument);
    if (typeof principal === 'string') {
      const evaluation = await evaluateRequest({
        principalArn: principal,
        accountId: SANDBOX_ACCOUNT,
        identityPolicies: [],
        resourcePolicy: trust,
        action: 'sts:AssumeRole',
        resource: role.Arn,
      });
      return evaluation.decision === 'allowed';
    }
    try {
      await authorizeCaller(this.store, 'sts', principal, 'sts:AssumeRole', role.Arn, {
        resourcePolicy: trust as PolicyDocument,
      });
    } catch {
      return false;
    }
    if (principal.kind !== 'root') return true;
    // The root passes every identity check, so the trust policy alone must name the account.
    const evaluation = await evaluateRequest({
      principalArn: principal.arn,
      accountId: SANDBOX_ACCOUNT,
      identityPolicies: [],
      resourcePolicy: trust,
      action: 'sts:AssumeRole',
      resource: role.Arn,
      isRoot: true,
    });
    return evaluation.decision === 'allowed';
  }

  async authorize(
    ctx: RequestContext,
    action: string,
    resourceArn: string,
    options?: { resourcePolicy?: PolicyDocument; context?: Record<string, string | string[]> },
  ): Promise<void> {
    await authorizeCaller(this.store, ctx.service, ctx.caller, action, resourceArn, {
      ...options,
      call: {
        time: this.now(),
        sourceIp: ctx.sourceIp,
        userAgent: ctx.userAgent,
        region: ctx.region,
      },
    });
  }

  /**
   * A session of a role for a service principal: the role must exist and its trust policy must
   * allow the service. The session is `invokedBy` the service. Records nothing in CloudTrail:
   * the caller does (assumeRoleAsService, or the service's own sts:AssumeRole call).
   */
  async serviceSession(
    servicePrincipal: string,
    roleArn: string,
    sessionName: string,
    durationSeconds: number,
  ): Promise<IssuedCredentials> {
    const name = roleNameFromArn(roleArn);
    const role = name ? findRole(this.store, name) : undefined;
    if (!role || role.Arn !== roleArn) {
      throw new AwsError(
        'NoSuchEntity',
        `The role with name ${name ?? roleArn} cannot be found.`,
        404,
      );
    }
    if (!(await this.trustAllows(role, servicePrincipal))) {
      throw new AwsError(
        'AccessDenied',
        `${servicePrincipal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    return this.issueCredentials(role, sessionName, durationSeconds, servicePrincipal);
  }

  async assumeRoleAsService(
    servicePrincipal: string,
    roleArn: string,
    sessionName: string,
  ): Promise<Caller> {
    const requestId = this.ids.requestId();
    const event = {
      eventVersion: '1.08',
      userIdentity: { type: 'AWSService', invokedBy: servicePrincipal },
      eventTime: eventTime(this.now()),
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      awsRegion: SANDBOX_REGION,
      sourceIPAddress: servicePrincipal,
      userAgent: servicePrincipal,
      requestParameters: { roleArn, roleSessionName: sessionName } as Record<string, unknown>,
      responseElements: null as Record<string, unknown> | null,
      requestID: requestId,
      eventID: this.ids.requestId(),
      readOnly: true,
      resources: [{ accountId: SANDBOX_ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
      eventType: 'AwsApiCall' as const,
      managementEvent: true,
      recipientAccountId: SANDBOX_ACCOUNT,
      eventCategory: 'Management' as const,
    };
    let credentials: IssuedCredentials;
    try {
      credentials = await this.serviceSession(servicePrincipal, roleArn, sessionName, 3600);
    } catch (error) {
      const err = error as AwsError;
      this.events.append({ ...event, errorCode: err.code, errorMessage: err.message });
      throw err;
    }
    event.responseElements = {
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration.toUTCString(),
      },
      assumedRoleUser: {
        assumedRoleId: credentials.caller.principalId,
        arn: credentials.caller.arn,
      },
    };
    this.events.append(event);
    return credentials.caller;
  }

  async invoke(
    service: ServiceName,
    operation: string,
    input: Record<string, unknown>,
    caller: Caller,
  ): Promise<unknown> {
    const origin =
      caller.kind === 'assumed-role' && caller.invokedBy ? caller.invokedBy : 'AWS Internal';
    return this.execute(
      {
        service,
        operation,
        region: SANDBOX_REGION,
        requestId: this.ids.requestId(),
        caller,
        sourceIp: origin,
        userAgent: origin,
      },
      input,
    );
  }

  /**
   * A call from the wire: it takes its turn, runs, and is journaled; it is answered only once its
   * record is on disk. Read-only calls change nothing a crash could lose, so they do not wait for
   * the disk, and labwright's own read-only calls (its checks) are not journaled at all.
   */
  async dispatch(ctx: RequestContext, input: Record<string, unknown>): Promise<unknown> {
    const readOnly = isReadOnlyOperation(ctx.operation);
    // A sandbox kept in memory has no journal: its calls are neither encoded nor sealed.
    const journaled =
      this.journal !== undefined && !(readOnly && LABWRIGHT_AGENT.test(ctx.userAgent));
    // Encoded before the call runs: an input the journal cannot hold is refused with no effect.
    let encoded: unknown;
    try {
      encoded = journaled ? await encodeInput(input, this.store.blobs) : undefined;
    } catch (error) {
      throw internalFailure(error, (m) =>
        this.log(`${ctx.service}:${ctx.operation} not journaled: ${m}`),
      );
    }
    const { output, error, durable } = await this.inTurn(async () => {
      const at = Date.now();
      const open: OpenRecord = { at, draws: [] };
      let output: unknown;
      let error: AwsError | undefined;
      await this.within(open, async () => {
        try {
          output = await this.execute(ctx, input);
        } catch (thrown) {
          error = thrown as AwsError;
        }
      });
      const durable = journaled
        ? this.commit(
            {
              at,
              kind: 'call',
              service: ctx.service,
              operation: ctx.operation,
              input: encoded,
              ...this.inlineBodies(encoded),
              context: {
                region: ctx.region,
                accessKeyId: ctx.caller.accessKeyId,
                sourceIp: ctx.sourceIp,
                userAgent: ctx.userAgent,
                requestId: ctx.requestId,
              },
              draws: open.draws,
              outcome: error ? { error: error.code } : {},
            },
            // No one waits for a read's record: the next durable record (or snapshot) syncs it.
            { lazy: readOnly },
          )
        : Promise.resolve();
      return { output, error, durable };
    });
    if (readOnly) durable.catch((failure: unknown) => this.writeFailed(failure));
    else {
      try {
        await durable;
      } catch (failure) {
        throw this.writeFailed(failure);
      }
    }
    if (error) throw error;
    return output;
  }

  /** Runs an operation's handler and records the call in CloudTrail, failed or not. */
  private async execute(ctx: RequestContext, input: Record<string, unknown>): Promise<unknown> {
    const registered = this.registry.get(ctx.service);
    const handler = registered?.handler.operations[ctx.operation];
    if (!registered || !handler) throw notImplemented(ctx.service, ctx.operation);
    const asService = servicePrincipalOf(ctx.caller.accessKeyId);
    if (asService && !serviceKeyMayCall(ctx.service, ctx.operation)) {
      throw new AwsError(
        'AccessDenied',
        `${asService} (labwright's service key) may only call sts:AssumeRole, not ${ctx.service}:${ctx.operation}`,
        403,
      );
    }
    try {
      const output = await handler(input, ctx);
      this.events.record(ctx, input, {
        at: this.now(),
        eventId: this.ids.requestId(),
        details: registered.handler.describeEvent?.(ctx.operation, input, output),
      });
      return output;
    } catch (error) {
      const err =
        error instanceof AwsError
          ? error
          : internalFailure(error, (m) => this.log(`${ctx.service}:${ctx.operation} failed: ${m}`));
      this.events.record(ctx, input, {
        at: this.now(),
        eventId: this.ids.requestId(),
        error: { code: err.code, message: err.message },
      });
      throw err;
    }
  }

  /**
   * The sandbox starts (again): workers of an earlier run are gone, and every service picks up
   * the work its state says is under way. Journaled, so replay drops and resumes at the same point.
   */
  async start(): Promise<void> {
    await this.inTurn(async () => {
      const at = Date.now();
      const open: OpenRecord = { at, draws: [] };
      await this.within(open, () => this.startServices());
      const durable = this.commit({
        at,
        kind: 'task',
        service: 'sandbox',
        operation: 'Start',
        input: {},
        draws: open.draws,
        outcome: {},
      });
      durable.catch((failure: unknown) => this.writeFailed(failure));
    });
  }

  /**
   * labwright's reset forgets an attempt (src/sandbox/forget.ts): takes its turn like a call and
   * is answered once its `sandbox:Forget` task record is on disk, so a hand-in replays it.
   */
  async forget(request: ForgetRequest): Promise<ForgetResult> {
    const { result, durable } = await this.inTurn(async () => {
      const at = Date.now();
      const open: OpenRecord = { at, draws: [] };
      const result = await this.within(open, () => forgetResources(this, request));
      const durable = this.commit({
        at,
        kind: 'task',
        service: 'sandbox',
        operation: 'Forget',
        input: request,
        draws: open.draws,
        outcome: {},
      });
      return { result, durable };
    });
    try {
      await durable;
    } catch (failure) {
      throw this.writeFailed(failure);
    }
    return result;
  }

  private startServices(): void {
    this.background.stopAll();
    for (const name of this.registry.names()) this.registry.get(name)?.handler.resume?.();
  }

  /**
   * Replays one record with the sandbox's own code, its recorded clock and draws. Throws
   * ReplayMismatch when it does not end as recorded. Records replay one after another.
   */
  async replay(record: JournalRecord): Promise<void> {
    const got = await this.within({ at: record.at, draws: record.draws, replayFrom: 0 }, () =>
      this.replayOne(record),
    );
    const expected = record.outcome.error ?? 'success';
    if (got !== expected) throw new ReplayMismatch(record.seq, expected, got);
    this.head = { seq: record.seq, hash: record.hash };
  }

  private async replayOne(record: JournalRecord): Promise<string> {
    if (record.kind === 'task') {
      if (record.service === 'sandbox' && record.operation === 'Start') {
        this.startServices();
        return 'success';
      }
      if (record.service === 'sandbox' && record.operation === 'Forget') {
        try {
          forgetResources(this, parseForgetRequest(record.input));
        } catch {
          return 'a Forget record the sandbox cannot read';
        }
        return 'success';
      }
      const key = (record.input as { key?: unknown } | null)?.key;
      if (record.operation !== 'Wake' || typeof key !== 'string')
        return `an unknown task ${record.operation}`;
      const finished = new Promise<void>((release) => {
        this.steps.set(key, { release });
      });
      if (!this.background.resumeRecorded(key)) {
        this.steps.delete(key);
        return `no background work waiting as ${key}`;
      }
      await finished;
      return 'success';
    }
    for (const [id, data] of Object.entries(record.inline ?? {})) {
      const bytes = Buffer.from(data, 'base64');
      if (createHash('sha256').update(bytes).digest('hex') !== id) {
        return `a body carried in the record that does not match its hash ${id.slice(0, 12)}…`;
      }
      await this.store.blobs.put(bytes);
    }
    const context = record.context;
    if (!context || !isServiceName(record.service))
      return `a call the sandbox cannot take (${record.service})`;
    const key = this.resolveKey(context.accessKeyId);
    if (!key) return `an unknown access key ${context.accessKeyId}`;
    try {
      await this.execute(
        {
          service: record.service,
          operation: record.operation,
          region: context.region,
          requestId: context.requestId,
          caller: key.caller,
          sourceIp: context.sourceIp,
          userAgent: context.userAgent,
        },
        (await decodeInput(record.input, this.store.blobs)) as Record<string, unknown>,
      );
      return 'success';
    } catch (error) {
      return error instanceof AwsError ? error.code : String(error);
    }
  }

  /** Waits for every call under way, and for the journal to be on disk. */
  async settle(): Promise<void> {
    await this.inTurn(async () => undefined);
    await this.journal?.settle();
  }

  /** Forgets all state and history, the journal included. */
  async reset(): Promise<void> {
    await this.inTurn(async () => {
      this.background.stopAll();
      // A snapshot written after the reset would bring the old state back.
      await this.snapshotWrites;
      this.store.reset();
      this.events.clear();
      this.journal?.truncate();
      this.head = { seq: 0, hash: '' };
      this.snapshotSeq = 0;
      this.snapshotBytes = 0;
      this.journaledSinceSnapshot = 0;
    });
  }
}

/** An operation the model knows but the sandbox does not serve, in the protocol's own terms. */
function notImplemented(service: ServiceName, operation: string): AwsError {
  if (service === 'iam' || service === 'sts') {
    return new AwsError('InvalidAction', `Could not find operation ${operation} for this version`);
  }
  if (service === 's3') {
    return new AwsError(
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      501,
    );
  }
  return new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
}

export function internalFailure(error: unknown, log: (message: string) => void): AwsError {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return new AwsError(
    'InternalFailure',
    'The request processing has failed because of an unknown error, exception or failure.',
    500,
    false,
  );
}

/** The core's own services (STS, CloudTrail) need more than the SandboxCore contract offers. */
export function internalCore(core: SandboxCore): Core {
  if (!(core instanceof Core)) throw new Error('this service needs the sandbox core itself');
  return core;
}
