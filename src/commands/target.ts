import { connect, type Connection } from '../aws/connect.js';
import { resolveTarget, type TargetOptions } from '../aws/target.js';
import { ensureSandbox, type SandboxHandle } from './sandbox-target.js';

/**
 * A reached target for a command: on the sandbox target it first attaches to the running
 * sandbox for the state folder or starts one in this process. `close()` releases the clients
 * and stops a sandbox this process started.
 */
export interface CommandTarget {
  connection: Connection;
  sandbox?: SandboxHandle;
  close(): Promise<void>;
}

export async function openTarget(
  options: TargetOptions,
  sandboxOptions: { stateDir?: string } = {},
): Promise<CommandTarget> {
  let target = resolveTarget(options);
  let sandbox: SandboxHandle | undefined;
  if (target.kind === 'sandbox') {
    sandbox = await ensureSandbox(sandboxOptions);
    target = { ...target, endpoint: sandbox.endpoint };
  }
  try {
    const connection = await connect(target);
    return {
      connection,
      ...(sandbox ? { sandbox } : {}),
      async close() {
        connection.close();
        await sandbox?.stop();
      },
    };
  } catch (error) {
    await sandbox?.stop();
    throw error;
  }
}
