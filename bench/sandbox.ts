/**
 * The embedded sandbox beside moto_server, measured in the same run on the same machine.
 * Not a test: it prints a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/sandbox.ts [requests=2000]
 *
 * - start-to-ready: spawn of the server process to its first answered health request (both
 *   polled every 5 ms); the sandbox runs from an esbuild bundle, as the CLI ships it. Also the
 *   in-process `startSandbox()` time, which is what the engine and the tests pay.
 * - sequential latency: 200 GetRole calls one after another with the AWS SDK v3 (median, p95).
 * - throughput: `requests` GetRole calls, then `requests` PutObject calls (1 KB, one key), then
 *   as many under SSE-KMS (the key alias/bench), then as many KMS Encrypt calls (1 KB under a
 *   customer key, by alias), 200 in flight over keep-alive connections (node:http), replaying one
 *   SigV4-signed request so the SDK's signing and parsing are not what is measured. Each figure
 *   is the median of its rounds. The client shares the machine's cores with the server: on two
 *   cores it caps the sandbox's figure, not moto's.
 * - the journal's cost: the sandbox runs twice at once, as students run it, with its journal on
 *   disk (a PutObject is answered once its record is fsynced), and in memory. Their rounds
 *   alternate (journal, memory, memory, journal, ...), and the cost is the median of the rounds'
 *   ratios: a drift in the machine's load falls on both alike.
 * - `node -e 0` is printed as the floor: process start alone, under the same machine load.
 * - the server's CPU per request (user + system over the measured rounds, /proc/<pid>/stat):
 *   the journal's cost as work done, which the scheduler moves less than it moves throughput.
 * - peak RSS: VmHWM of the server process after the load.
 * Everything is on 127.0.0.1; request loops are bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { build } from 'esbuild';
import { startSandbox } from '../src/sandbox/server.js';
import { freePort } from '../test/support/moto.js';
import { processCpuMs } from './support/proc-cpu.js';
import { median } from './support/median.js';

const TOTAL = Number(process.argv[2] ?? 2000);
const CONCURRENCY = 200;
const ROUNDS = 3;
const JOURNAL_ROUNDS = 7;
const SEQUENTIAL = 200;
const repo = path.resolve(import.meta.dirname, '..');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:root' },
      Action: 'sts:AssumeRole',
    },
  ],
});

interface Target {
  name: string;
  endpoint: string;
  child: ChildProcess;
  readyMs: number;
}

async function waitReady(url: string, child: ChildProcess, start: bigint): Promise<number> {
  for (let i = 0; i < 4000; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited`);
    try {
      const response = await fetch(url);
      if (response.ok) return Number(process.hrtime.bigint() - start) / 1e6;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} never became ready`);
}

async function bundleSandbox(): Promise<string> {
  const dir = path.join(repo, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'sandbox-entry.ts');
  writeFileSync(
    entry,
    `import { startSandbox } from '../../src/sandbox/server.js';\n` +
      `const stateDir = process.argv[3];\n` +
      `await startSandbox({ port: Number(process.argv[2]), ...(stateDir ? { stateDir } : { memory: true }), log: () => {} });\n`,
  );
  const outfile = path.join(dir, 'sandbox-server.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

async function startSandboxProcess(bundle: string, stateDir?: string): Promise<Target> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const args = [bundle, String(port), ...(stateDir ? [stateDir] : [])];
  const child = spawn(process.execPath, args, { stdio: 'ignore', cwd: repo });
  const endpoint = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(`${endpoint}/_labwright/health`, child, start);
  return { name: 'labwright sandbox', endpoint, child, readyMs };
}

async function startMotoProcess(): Promise<Target> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env: {
      ...process.env,
      MOTO_ACCOUNT_ID: '000000000000',
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
    },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(`${endpoint}/moto-api/`, child, start);
  return { name: 'moto_server', endpoint, child, readyMs };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function sequential(endpoint: string): Promise<{ median: number; p95: number }> {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  await iam.send(new GetRoleCommand({ RoleName: 'bench-role' }));
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = process.hrtime.bigint();
    await iam.send(new GetRoleCommand({ RoleName: 'bench-role' }));
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)]!,
    p95: times[Math.floor(times.length * 0.95)]!,
  };
}

interface BenchRequest {
  service: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const GET_ROLE: BenchRequest = {
  service: 'iam',
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: 'Action=GetRole&Version=2010-05-08&RoleName=bench-role',
};

const PUT_OBJECT: BenchRequest = {
  service: 's3',
  method: 'PUT',
  path: '/bench-bucket/object.bin',
  headers: { 'content-type': 'application/octet-stream' },
  body: 'x'.repeat(1024),
};

/** The same PutObject under SSE-KMS: S3 asks KMS (key policy AND IAM) for kms:GenerateDataKey. */
const PUT_OBJECT_SSE: BenchRequest = {
  ...PUT_OBJECT,
  path: '/bench-bucket/encrypted.bin',
  headers: {
    ...PUT_OBJECT.headers,
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': 'alias/bench',
  },
};

const ENCRYPT: BenchRequest = {
  service: 'kms',
  method: 'POST',
  path: '/',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.Encrypt',
  },
  body: JSON.stringify({
    KeyId: 'alias/bench',
    Plaintext: Buffer.from('x'.repeat(1024)).toString('base64'),
  }),
};

/** One signed request, sent `count` times by CONCURRENCY workers over keep-alive connections. */
async function load(endpoint: string, call: BenchRequest) {
  const url = new URL(endpoint);
  const { body } = call;
  const signer = new SignatureV4({
    service: call.service,
    region: 'us-east-1',
    sha256: Sha256,
    credentials,
    uriEscapePath: call.service !== 's3',
  });
  const signed = await signer.sign({
    method: call.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: call.path,
    headers: {
      host: url.host,
      ...call.headers,
      'content-length': String(Buffer.byteLength(body)),
      ...(call.service === 's3'
        ? { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') }
        : {}),
    },
    body,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const one = () =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: call.method,
          path: call.path,
          headers: signed.headers,
          agent,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  /** Sends `count` requests; resolves with the requests per second and the failures. */
  const run = async (count: number) => {
    let sent = 0;
    let failures = 0;
    const worker = async () => {
      while (sent < count) {
        sent++;
        if ((await one()) !== 200) failures++;
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return { rps: count / (Number(process.hrtime.bigint() - start) / 1e9), failures };
  };
  return { run, close: () => agent.destroy() };
}

interface Throughput {
  /** The median round's requests per second. */
  rps: number;
  failures: number;
  /** The server's CPU (user + system) per request over the measured rounds. */
  cpuUs: number;
  /** Each measured round's requests per second, in order. */
  rounds: number[];
}

/**
 * Measures targets side by side, round by round: each round sends `TOTAL` requests to every
 * target in turn, the first target alternating, so that a change in the machine's load (or the
 * JIT still warming) falls on all of them alike. A throughput is the median of its rounds.
 */
async function throughputs(
  targets: readonly Target[],
  call: BenchRequest,
  rounds: number,
): Promise<Throughput[]> {
  const loads = await Promise.all(targets.map((target) => load(target.endpoint, call)));
  for (const warm of loads) await warm.run(Math.min(400, TOTAL));
  const results = targets.map(() => ({ rounds: [] as number[], failures: 0, cpuMs: 0 }));
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      const pid = targets[index]!.child.pid as number;
      const cpuBefore = processCpuMs(pid);
      const { rps, failures } = await loads[index]!.run(TOTAL);
      results[index]!.cpuMs += processCpuMs(pid) - cpuBefore;
      results[index]!.rounds.push(rps);
      results[index]!.failures += failures;
    }
  }
  for (const done of loads) done.close();
  return results.map((result) => ({
    rps: median(result.rounds),
    failures: result.failures,
    cpuUs: (result.cpuMs * 1000) / (rounds * TOTAL),
    rounds: result.rounds,
  }));
}

const common = (target: Target) => ({
  endpoint: target.endpoint,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
});

/** The role, bucket and key alias the measured calls use. */
async function prepare(target: Target): Promise<void> {
  const iam = new IAMClient(common(target));
  await iam.send(
    new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: trust }),
  );
  const s3 = new S3Client({ ...common(target), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-bucket' }));
  const kms = new KMSClient(common(target));
  const key = await kms.send(new CreateKeyCommand({ Description: 'bench' }));
  await kms.send(
    new CreateAliasCommand({ AliasName: 'alias/bench', TargetKeyId: key.KeyMetadata!.KeyId! }),
  );
}

const CALLS = {
  getRole: GET_ROLE,
  put: PUT_OBJECT,
  ssePut: PUT_OBJECT_SSE,
  encrypt: ENCRYPT,
} as const;
type CallName = keyof typeof CALLS;

/** Every call's throughput on each target, measured side by side (see `throughputs`). */
async function measure(targets: readonly Target[], rounds: number) {
  for (const target of targets) await prepare(target);
  const latency = await sequential(targets[0]!.endpoint);
  const byCall = {} as Record<CallName, Throughput[]>;
  for (const name of Object.keys(CALLS) as CallName[]) {
    byCall[name] = await throughputs(targets, CALLS[name], rounds);
  }
  const rss = targets.map((target) => peakRssMb(target.child.pid as number));
  for (const target of targets) target.child.kill('SIGTERM');
  return targets.map((_, index) => ({
    ...latency,
    rss: rss[index]!,
    calls: Object.fromEntries(
      (Object.keys(CALLS) as CallName[]).map((name) => [name, byCall[name][index]!]),
    ) as Record<CallName, Throughput>,
  }));
}

const floorStart = process.hrtime.bigint();
spawnSync(process.execPath, ['-e', '0']);
const floorMs = Number(process.hrtime.bigint() - floorStart) / 1e6;

const inProcessStart = process.hrtime.bigint();
const inProcess = await startSandbox({ memory: true, log: () => {} });
const inProcessMs = Number(process.hrtime.bigint() - inProcessStart) / 1e6;
await inProcess.stop();

const bundle = await bundleSandbox();
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'labwright-bench-'));
const ours = await startSandboxProcess(bundle, stateDir);
const memory = await startSandboxProcess(bundle);
// The journal's cost is the paired rounds' ratio: more rounds than moto's, as it is a small
// difference between two fast figures.
const [oursMeasured, memoryMeasured] = await measure([ours, memory], JOURNAL_ROUNDS);
rmSync(stateDir, { recursive: true, force: true });
const moto = await startMotoProcess();
const [motoMeasured] = await measure([moto], ROUNDS);
const flat = (measured: NonNullable<typeof oursMeasured>) => ({
  median: measured.median,
  p95: measured.p95,
  rss: measured.rss,
  rps: measured.calls.getRole.rps,
  putRps: measured.calls.put.rps,
  ssePutRps: measured.calls.ssePut.rps,
  encryptRps: measured.calls.encrypt.rps,
  failures: Object.values(measured.calls).reduce((sum, call) => sum + call.failures, 0),
});
const oursResult = flat(oursMeasured!);
const memoryResult = flat(memoryMeasured!);
const motoResult = flat(motoMeasured!);

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const rows: [string, string, string, string][] = [
  [
    'start-to-ready (process spawn → health answered)',
    `${fmt(ours.readyMs, 0)} ms`,
    `${fmt(moto.readyMs, 0)} ms`,
    `${fmt(moto.readyMs / ours.readyMs)}x faster`,
  ],
  [
    'sequential GetRole, median (SDK v3)',
    `${fmt(oursResult.median, 2)} ms`,
    `${fmt(motoResult.median, 2)} ms`,
    `${fmt(motoResult.median / oursResult.median)}x faster`,
  ],
  [
    'sequential GetRole, p95 (SDK v3)',
    `${fmt(oursResult.p95, 2)} ms`,
    `${fmt(motoResult.p95, 2)} ms`,
    `${fmt(motoResult.p95 / oursResult.p95)}x faster`,
  ],
  [
    `throughput, ${TOTAL} GetRole at ${CONCURRENCY} concurrent`,
    `${fmt(oursResult.rps, 0)} req/s`,
    `${fmt(motoResult.rps, 0)} req/s`,
    `${fmt(oursResult.rps / motoResult.rps)}x`,
  ],
  [
    `throughput, ${TOTAL} PutObject (1 KB) at ${CONCURRENCY} concurrent`,
    `${fmt(oursResult.putRps, 0)} req/s`,
    `${fmt(motoResult.putRps, 0)} req/s`,
    `${fmt(oursResult.putRps / motoResult.putRps)}x`,
  ],
  [
    `throughput, ${TOTAL} PutObject (1 KB, SSE-KMS) at ${CONCURRENCY} concurrent`,
    `${fmt(oursResult.ssePutRps, 0)} req/s`,
    `${fmt(motoResult.ssePutRps, 0)} req/s`,
    `${fmt(oursResult.ssePutRps / motoResult.ssePutRps)}x`,
  ],
  [
    `throughput, ${TOTAL} KMS Encrypt (1 KB) at ${CONCURRENCY} concurrent`,
    `${fmt(oursResult.encryptRps, 0)} req/s`,
    `${fmt(motoResult.encryptRps, 0)} req/s`,
    `${fmt(oursResult.encryptRps / motoResult.encryptRps)}x`,
  ],
  [
    'peak RSS of the server process',
    `${fmt(oursResult.rss)} MB`,
    `${fmt(motoResult.rss)} MB`,
    `${fmt(motoResult.rss / oursResult.rss)}x smaller`,
  ],
];
console.log(`| measure | labwright sandbox | moto_server | ratio |`);
console.log(`|---|---|---|---|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
/** Journal over memory, round by round (the rounds ran back to back): median and range. */
const journalShare = (name: CallName) => {
  const ratios = oursMeasured!.calls[name].rounds.map(
    (rps, round) => (100 * rps) / memoryMeasured!.calls[name].rounds[round]!,
  );
  return `${fmt(median(ratios), 0)}% (${fmt(Math.min(...ratios), 0)}–${fmt(Math.max(...ratios), 0)}%)`;
};
console.log(
  `\nthe journal's cost (throughput with the journal on disk / the same sandbox in memory, ${JOURNAL_ROUNDS} paired rounds, median and range): GetRole ${journalShare('getRole')}, PutObject ${journalShare('put')}, PutObject SSE-KMS ${journalShare('ssePut')}, Encrypt ${journalShare('encrypt')}`,
);
const cpuShare = (name: CallName) => {
  const journal = oursMeasured!.calls[name].cpuUs;
  const inMemory = memoryMeasured!.calls[name].cpuUs;
  const change = (100 * (journal - inMemory)) / inMemory;
  return `${fmt(journal, 0)} / ${fmt(inMemory, 0)} µs = ${change >= 0 ? '+' : ''}${fmt(change, 0)}%`;
};
console.log(
  `the journal's cost in the server's CPU per request (journal / memory; moto_server ${fmt(motoMeasured!.calls.getRole.cpuUs, 0)} µs a GetRole): GetRole ${cpuShare('getRole')}, PutObject ${cpuShare('put')}, PutObject SSE-KMS ${cpuShare('ssePut')}, Encrypt ${cpuShare('encrypt')}`,
);
console.log(`in-process startSandbox() (memory state): ${fmt(inProcessMs)} ms`);
console.log(
  `floor, \`node -e 0\` spawn to exit: ${fmt(floorMs, 0)} ms; load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `failed requests: sandbox ${oursResult.failures} (in memory ${memoryResult.failures}), moto ${motoResult.failures}`,
);
