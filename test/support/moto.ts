/**
 * moto_server as a reference AWS for differential tests.
 *
 *   const moto = await startMoto();      // free loopback port, ready to answer
 *   new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: ... });
 *   await moto.reset();                  // POST /moto-api/reset: forget all state
 *   await moto.stop();
 *
 * Account 000000000000 (the sandbox's) and AWS managed policies loaded, so the same calls mean
 * the same thing on both. Check `requireTool('moto_server')` (test/support/tools.ts) first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  port: number;
  /** The moto_server process (its pid is what `stop` ends). */
  process: ChildProcess;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A port the OS just handed out on loopback (free at the time of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function ready(endpoint: string, child: ChildProcess, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('moto_server did not become ready');
}

export async function startMoto(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Moto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      MOTO_ACCOUNT_ID: '000000000000',
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      ...options.env,
    },
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await ready(endpoint, child);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    endpoint,
    port,
    process: child,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
