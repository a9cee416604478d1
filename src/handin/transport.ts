/**
 * One way in to every replayed hand-in a grader holds. The SDK clients of a check are costly to
 * build (each resolves its configuration through the SDK's provider chains on first use: more
 * than the calls a student's grading makes), so a grader builds them once and shares them across
 * students; each request reaches the sandbox of the student whose grading made it, followed
 * through the async calls of that grading (AsyncLocalStorage), in this process, without a socket.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientTransport, SdkClient } from '../aws/clients.js';
import { sdkHandler, type InProcessHandler } from '../sandbox/in-process-handler.js';

export class HandInTransport {
  private readonly current = new AsyncLocalStorage<InProcessHandler>();
  private readonly pool = new Map<string, Promise<SdkClient>>();

  /** What the graders' AwsClients are given: the shared clients, and the routing transport. */
  readonly transport: ClientTransport = {
    pool: this.pool,
    requestHandler: sdkHandler((...args) => {
      const sandbox = this.current.getStore();
      if (!sandbox) throw new Error('a hand-in request made outside any student’s grading');
      return sandbox.handle(...args);
    }),
  };

  /** Runs one student's grading, its requests served by `sandbox` (their replayed hand-in). */
  within<T>(sandbox: InProcessHandler, grading: () => Promise<T>): Promise<T> {
    return this.current.run(sandbox, grading);
  }

  close(): void {
    for (const client of this.pool.values())
      void client.then((c) => c.destroy()).catch(() => undefined);
    this.pool.clear();
  }
}
