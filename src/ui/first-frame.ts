/**
 * What the first frame needs, and nothing more: Ink and the splash screen.
 *
 * yoga-layout, Ink's layout engine, decodes its inlined WebAssembly with fetch() whenever
 * fetch exists, and the first fetch makes Node load its whole HTTP client (undici) to read a
 * data: URL. Without fetch it decodes the same bytes directly. Hiding fetch for the length of
 * this import saves ~100 ms of start-up; nothing else runs meanwhile, and it is put back after.
 */
export async function loadFirstFrame() {
  const global = globalThis as { fetch?: typeof fetch };
  const saved = global.fetch;
  global.fetch = undefined;
  try {
    const [{ render }, { Splash }] = await Promise.all([
      import('ink'),
      import('./components/Splash.js'),
    ]);
    return { render, Splash };
  } finally {
    global.fetch = saved;
  }
}
