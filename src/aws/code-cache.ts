import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { cacheDir } from '../xdg.js';

/**
 * A V8 code cache for the AWS SDK's CommonJS modules. Compiling the SDK clients is most of what
 * a `labwright check` spends before its first request (SageMaker's client alone is 800 KB of
 * JavaScript); Node 22 caches compiled code itself (module.enableCompileCache), Node 20 does
 * not. While `withCodeCache` loads modules, each is compiled with the code V8 made for it the
 * last time, and at exit the code of new or changed modules (with what ran lazily) is saved in
 * one file per Node version: `${XDG_CACHE_HOME:-~/.cache}/labwright/v8/<version>-<arch>.bin`.
 *
 * Entries are keyed by file name and a hash of the source (npm gives every installed file the
 * same modification time, so times say nothing), so an updated package compiles afresh; V8
 * itself rejects code from another V8 build or flags. LABWRIGHT_NO_CODE_CACHE=1 turns it off.
 */

interface Entry {
  hash: string;
  /** The cached code; read from the pack on first use, at `position`. */
  data?: Buffer;
  position: number;
  length: number;
}

interface Pending {
  file: string;
  hash: string;
  script: vm.Script;
}

type Compile = (this: Module, content: string, filename: string) => unknown;

interface ModuleInternals {
  prototype: { _compile: Compile };
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: unknown): string;
  _cache: Record<string, Module>;
  _extensions: Record<string, unknown>;
}

const internals = Module as unknown as ModuleInternals;

let entries: Map<string, Entry> | undefined;
/** The pack this process read its index from, open for reading entries as they are needed. */
let packFd: number | undefined;
const pending: Pending[] = [];
let saveOnExit = false;
const stats = { cached: 0, compiled: 0 };
/** Modules this process loaded: what the pack keeps when it would outgrow PACK_LIMIT. */
const used = new Set<string>();
/** Past this, the pack is rewritten with this process's modules only (copies of the package, SDK updates). */
const PACK_LIMIT = 48 * 1024 * 1024;

/** How many modules ran from cached code, and how many were compiled, in this process. */
export function codeCacheStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** Node 22's own compile cache (bin/labwright.js turns it on) makes this one needless. */
function builtInCacheOn(): boolean {
  const dirOf = (Module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir;
  return typeof dirOf === 'function' && !!dirOf();
}

export function codeCacheFile(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return path.join(cacheDir(env), 'v8', `${process.version}-${process.arch}.bin`);
}

/** Runs `load` (a synchronous require) with the code cache; returns what it returns. */
export function withCodeCache<T>(load: () => T): T {
  if (process.env.LABWRIGHT_NO_CODE_CACHE || builtInCacheOn()) return load();
  entries ??= readPack(codeCacheFile());
  const original = internals.prototype._compile;
  internals.prototype._compile = function compileCached(content, filename) {
    if (!filename.endsWith('.js') && !filename.endsWith('.cjs'))
      return original.call(this, content, filename);
    return compile(this, content, filename);
  };
  try {
    return load();
  } finally {
    internals.prototype._compile = original;
  }
}

function compile(module: Module, content: string, filename: string): unknown {
  const hash = createHash('sha1').update(content).digest('base64');
  const entry = entries?.get(filename);
  const usable = entry?.hash === hash;
  used.add(filename);
  const script = new vm.Script(Module.wrap(stripShebang(content)), {
    filename,
    ...(usable ? { cachedData: dataOf(entry!) } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (usable && !script.cachedDataRejected) stats.cached++;
  else stats.compiled++;
  if (!usable || script.cachedDataRejected) {
    pending.push({ file: filename, hash, script });
    if (!saveOnExit) {
      saveOnExit = true;
      process.once('exit', save);
    }
  }
  const wrapper = script.runInThisContext({ displayErrors: true }) as (
    ...args: unknown[]
  ) => unknown;
  return wrapper.call(
    module.exports,
    module.exports,
    requireFor(module),
    module,
    filename,
    path.dirname(filename),
  );
}

/** The `require` Node gives a module: resolves from it, and records it as the parent. */
function requireFor(module: Module): NodeJS.Require {
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  require.resolve = ((request: string, options?: { paths?: string[] }) =>
    internals._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  require.main = process.mainModule;
  require.cache = internals._cache as NodeJS.Require['cache'];
  require.extensions = internals._extensions as NodeJS.Require['extensions'];
  return require;
}

function stripShebang(content: string): string {
  return content.startsWith('#!') ? `//${content.slice(2)}` : content;
}

/*
 * The pack: a 4-byte length, a JSON index { file: [hash, offset, length] }, then the
 * cached code of each file, end to end. The index is read at start, each entry when its module
 * loads; the whole pack is written once, atomically, at exit.
 */

type IndexRow = [hash: string, offset: number, length: number];

/**
 * Reads the pack's index only: the code of each entry is read when a module needs it, since the
 * pack holds every SDK module labwright ever loaded (megabytes) and a command needs a few.
 */
function readPack(file: string): Map<string, Entry> {
  const map = new Map<string, Entry>();
  try {
    packFd = openSync(file, 'r');
  } catch {
    return map;
  }
  try {
    const header = Buffer.alloc(4);
    readSync(packFd, header, 0, 4, 0);
    const indexLength = header.readUInt32LE(0);
    const size = fstatSync(packFd).size;
    if (4 + indexLength > size) throw new Error('truncated pack');
    const json = Buffer.alloc(indexLength);
    readSync(packFd, json, 0, indexLength, 4);
    const index = JSON.parse(json.toString('utf8')) as Record<string, IndexRow>;
    const start = 4 + indexLength;
    for (const [name, [hash, offset, length]] of Object.entries(index)) {
      if (start + offset + length > size) continue;
      map.set(name, { hash, position: start + offset, length });
    }
  } catch {
    // A damaged pack is as good as none: everything compiles afresh and it is rewritten.
    map.clear();
    closePack();
  }
  return map;
}

function dataOf(entry: Entry): Buffer | undefined {
  if (!entry.data && packFd !== undefined) {
    const data = Buffer.alloc(entry.length);
    try {
      if (readSync(packFd, data, 0, entry.length, entry.position) === entry.length) {
        entry.data = data;
      }
    } catch {
      // Unreadable: this module compiles afresh.
    }
  }
  return entry.data;
}

function closePack(): void {
  if (packFd === undefined) return;
  try {
    closeSync(packFd);
  } catch {
    // Already gone.
  }
  packFd = undefined;
}

function save(): void {
  if (!entries || pending.length === 0) return;
  for (const { file, hash, script } of pending) {
    try {
      const data = script.createCachedData();
      entries.set(file, { hash, data, position: 0, length: data.length });
    } catch {
      // Nothing to cache for this one; it compiles afresh next time.
    }
  }
  pending.length = 0;
  let total = 0;
  for (const entry of entries.values()) total += entry.length;
  const keep = total > PACK_LIMIT ? [...entries].filter(([name]) => used.has(name)) : entries;
  const index: Record<string, IndexRow> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of keep) {
    const data = dataOf(entry);
    if (!data) continue;
    index[name] = [entry.hash, offset, data.length];
    parts.push(data);
    offset += data.length;
  }
  closePack();
  const json = Buffer.from(JSON.stringify(index));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(json.length, 0);
  const file = codeCacheFile();
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(temporary, 'w', 0o600);
    try {
      for (const part of [header, json, ...parts]) writeSync(fd, part);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch {
    // A read-only or full disk costs only the next start the compile time.
    rmSync(temporary, { force: true });
  }
}
