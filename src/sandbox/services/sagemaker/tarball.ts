/**
 * A minimal gzip-compressed ustar archive: what a training job leaves as model.tar.gz, so a
 * student can download it and `tar tzf` it like a real one.
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  name: string;
  data: Buffer;
  mtime?: Date;
}

export function gzipTarball(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(header(entry));
    blocks.push(entry.data);
    const padding = (512 - (entry.data.length % 512)) % 512;
    if (padding) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return gzipSync(Buffer.concat(blocks));
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) =>
    block.write(text.slice(0, length), offset, length, 'utf8');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(entry.name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(entry.data.length, 12), 124, 12);
  put(octal(Math.floor((entry.mtime ?? new Date()).getTime() / 1000), 12), 136, 12);
  put('        ', 148, 8); // the checksum is computed with its own field as spaces
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  put('root', 265, 32);
  put('root', 297, 32);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return block;
}
