import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../aws/connect.js';
import { resolveTarget, type TargetOptions } from '../aws/target.js';
import { selfTest, UnknownScenarioError, type SelfTestTarget } from '../engine/self-test.js';
import { parseVars } from '../engine/vars.js';
import { renderSelfTestJunit, renderSelfTestText, scenarioGlyph } from '../report/self-test.js';
import { loadLab, reportError } from './target-session.js';
import { EXIT, UsageError } from './usage-error.js';

export interface TestCommandOptions extends TargetOptions {
  var?: string[];
  scenario?: string[];
  json?: boolean;
  junit?: string;
}

/**
 * The sandbox `labwright test` runs each scenario on: in memory, on its own port, gone when the
 * scenario ends. Notebooks and training jobs move on quickly: a self-test proves what happens,
 * not how long AWS takes.
 */
const SELF_TEST_TIMING = { notebookTransitionMs: 200, trainingJobMs: 500 };
/** Background work that takes longer than this is judged as it stands (the checks then poll). */
const SETTLE_LIMIT_MS = 10_000;

/**
 * `labwright test <lab>`: the lab's self-test (src/engine/self-test.ts) on a fresh in-memory
 * sandbox per scenario, or on `--endpoint URL` (one account: the lab's cleanup runs between
 * scenarios). Exits 0 when no scenario failed (one the target cannot judge, `unjudged`, does not
 * fail), 1 when one failed, 2 for a lab that does not load or bad usage, 3 when the endpoint
 * cannot be reached.
 */
export async function testCommand(lab: string, options: TestCommandOptions): Promise<number> {
  let work: string | undefined;
  try {
    const loaded = await loadLab(lab);
    if (typeof loaded === 'number') return loaded;
    const vars = parseVars(options.var ?? []);
    const target = resolveTarget(options);
    if (target.kind === 'aws') {
      throw new UsageError(
        "labwright test creates and deletes the lab's resources many times over: run it on the sandbox (the default) or an emulator (--endpoint URL), not on AWS",
      );
    }
    work = mkdtempSync(path.join(os.tmpdir(), 'labwright-test-'));
    const folders = work;
    const openTarget = target.kind === 'sandbox' ? openFreshSandbox : () => openEndpoint(target);
    const report = await selfTest({
      lab: loaded,
      openTarget,
      freshTargets: target.kind === 'sandbox',
      vars,
      ...(options.scenario?.length ? { only: options.scenario } : {}),
      workFolder: (scenario) => {
        const folder = path.join(folders, scenario);
        mkdirSync(folder, { recursive: true });
        return folder;
      },
      ...(options.json
        ? {}
        : {
            onScenario: (scenario) =>
              process.stderr.write(
                `${scenarioGlyph(scenario.status, false)} ${scenario.name} (${(scenario.durationMs / 1000).toFixed(1)} s)\n`,
              ),
          }),
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : renderSelfTestText(report),
    );
    if (options.junit) {
      try {
        writeFileSync(options.junit, renderSelfTestJunit(report));
      } catch (error) {
        throw new UsageError(`cannot write --junit ${options.junit}: ${(error as Error).message}`);
      }
    }
    return report.passed ? EXIT.ok : EXIT.checkFailed;
  } catch (error) {
    if (error instanceof UnknownScenarioError) {
      console.error(`labwright: ${error.message}`);
      return EXIT.usage;
    }
    return reportError(error);
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

/** A new sandbox in this process, kept in memory: an empty account for one scenario. */
async function openFreshSandbox(): Promise<SelfTestTarget> {
  const { startSandbox } = await import('../sandbox/server.js');
  const sandbox = await startSandbox({
    port: 0,
    memory: true,
    timing: SELF_TEST_TIMING,
    log: (message) => process.stderr.write(`[sandbox] ${message}\n`),
  });
  try {
    const connection = await connect({
      ...resolveTarget({ target: 'sandbox' }, {}),
      endpoint: sandbox.endpoint,
    } as Parameters<typeof connect>[0]);
    return {
      connection,
      async settle() {
        const deadline = Date.now() + SETTLE_LIMIT_MS;
        while (!sandbox.core.background.idle && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 25));
      },
      async close() {
        connection.close();
        await sandbox.stop();
      },
    };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

async function openEndpoint(target: Parameters<typeof connect>[0]): Promise<SelfTestTarget> {
  const connection = await connect(target);
  return {
    connection,
    close: async () => connection.close(),
  };
}
