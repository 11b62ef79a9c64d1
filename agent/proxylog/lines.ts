// Reads a log as batches of lines in constant memory: plain or gzip (recognised by its magic bytes, so a
// compressed stdin works too), any size. Batches, not single lines, keep the per-line overhead low.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/** A line longer than this (a binary file, a runaway line) is cut off and counted as one unparseable line. */
const MAX_LINE_CHARS = 64 * 1024;
const READ_SIZE = 64 * 1024;

export interface LineSource {
  /** True when a gzip stream ended early; the lines before the cut were read. */
  truncatedGzip: boolean;
  batches: AsyncGenerator<string[]>;
}

export function openLogFile(path: string): LineSource {
  return lineSource(fileChunks(path));
}

export function linesOf(input: NodeJS.ReadableStream): LineSource {
  return lineSource((input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]());
}

function lineSource(chunks: AsyncIterator<Buffer | string>): LineSource {
  const flags = { truncatedGzip: false };
  return Object.assign(flags, { batches: splitLines(decompressed(chunks, flags)) });
}

/**
 * A file's bytes through one reused buffer: a fresh 64 KiB Buffer per read (what fs streams do) left the
 * process's RSS growing with the file's size (malloc fragmentation), though the JS heap stayed flat.
 * Each chunk is valid only until the next one is asked for.
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function* decompressed(chunks: AsyncIterator<Buffer | string>, source: { truncatedGzip: boolean }): AsyncGenerator<Buffer> {
  const first = await chunks.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield toBuffer(next.value);
    return;
  }
  // zlib keeps the chunks it is given until it has inflated them, so hand it copies, not the reused buffer.
  const compressed = Readable.from(
    (async function* () {
      yield Buffer.from(head);
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield Buffer.from(toBuffer(next.value));
    })(),
  );
  const gunzip = createGunzip();
  compressed.on('error', (err) => gunzip.destroy(err));
  compressed.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    // A log compressed while still being written ends mid-stream: keep what was read, say so.
    if ((err as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw err;
    source.truncatedGzip = true;
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

async function* splitLines(chunks: AsyncGenerator<Buffer>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      lines.push(withoutCr(text.slice(start, end)));
      start = end + 1;
    }
    carry = text.slice(start);
    if (carry.length > MAX_LINE_CHARS) {
      lines.push(carry.slice(0, MAX_LINE_CHARS));
      carry = '';
    }
    if (lines.length > 0) yield lines;
  }
  // The last line may lack its newline (a log copied while written): it is still a line.
  const rest = carry + decoder.end();
  if (rest !== '') yield [withoutCr(rest)];
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
