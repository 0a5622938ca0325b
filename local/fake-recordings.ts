/**
 * Generated call recordings for the local stack and tests: a small valid WAV (8 kHz, 16-bit mono)
 * whose tone depends on the file's name, any size, streamed in chunks so even a 200 MB file never
 * sits in memory. The fake 百应 serves them under `/recordings/<name>` (`?bytes=N` sets the size).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export const RECORDINGS_PATH = '/recordings/';
export const DEFAULT_RECORDING_BYTES = 48_044;
const CHUNK = 64 * 1024;
const HEADER_BYTES = 44;

const header = (bytes: number): Buffer => {
  const data = Math.max(0, bytes - HEADER_BYTES);
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + data), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16_000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(Math.min(0xffffffff, data), 40);
  return h;
};

/** One chunk of the name's tone; the file repeats it (cheap to serve at any size). */
const toneChunk = (name: string): Buffer => {
  const frequency = 220 + (createHash('sha256').update(name).digest().readUInt16BE(0) % 660);
  const chunk = Buffer.alloc(CHUNK);
  for (let offset = 0, sample = 0; offset + 1 < CHUNK; offset += 2, sample += 1) {
    chunk.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * frequency * sample) / 8000)), offset);
  }
  return chunk;
};

/** The file's bytes, chunk by chunk: the WAV header, then the tone until `bytes`. */
function* recordingChunks(name: string, bytes: number): Generator<Buffer> {
  const head = header(bytes).subarray(0, Math.min(bytes, HEADER_BYTES));
  yield head;
  const tone = toneChunk(name);
  for (let written = head.length; written < bytes; written += CHUNK) {
    yield bytes - written >= CHUNK ? tone : tone.subarray(0, bytes - written);
  }
}

export const recordingStream = (name: string, bytes = DEFAULT_RECORDING_BYTES): Readable =>
  Readable.from(recordingChunks(name, bytes), { objectMode: false });

export const recordingSha256 = (name: string, bytes = DEFAULT_RECORDING_BYTES): string => {
  const hash = createHash('sha256');
  for (const chunk of recordingChunks(name, bytes)) hash.update(chunk);
  return hash.digest('hex');
};

/** Answers GET `/recordings/<name>[?bytes=N]` with the generated file. */
export const serveRecording = (url: URL, response: ServerResponse): void => {
  const name = decodeURIComponent(url.pathname.slice(RECORDINGS_PATH.length));
  const requested = Number(url.searchParams.get('bytes') ?? DEFAULT_RECORDING_BYTES);
  const bytes = Number.isSafeInteger(requested) && requested >= 0 ? requested : DEFAULT_RECORDING_BYTES;
  response.writeHead(200, {
    'content-type': name.endsWith('.mp3') ? 'audio/mpeg' : 'audio/wav',
    'content-length': String(bytes),
  });
  recordingStream(name, bytes).pipe(response);
};
