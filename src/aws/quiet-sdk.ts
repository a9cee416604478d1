/**
 * On Node 20 the AWS SDK v3 prints a NodeVersionSupportWarning the first time a client is
 * built (releases after January 2027 need Node 22). A student can do nothing about it, so it
 * must never reach their screen. The SDK honours its own switch for this one warning; the
 * emitWarning filter covers SDK copies that might not, and leaves every other warning alone.
 */

let installed = false;

export function silenceSdkNodeVersionWarning(): void {
  if (installed) return;
  installed = true;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const text =
      typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
    if (text.startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
