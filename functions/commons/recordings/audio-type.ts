/**
 * What a copied recording is stored as. The host's Content-Type is never trusted: a link that
 * answered `text/html` would otherwise be served as a page from the bucket's origin by a
 * presigned link. The type comes from the file's first bytes, else from the link's extension,
 * else it is `application/octet-stream`; every object is also served as a download.
 */

/** Audio types by file extension (the link's own, or the one a sniffed type is stored under). */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/opus',
  amr: 'audio/amr',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  webm: 'audio/webm',
};

const EXTENSION_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(BY_EXTENSION).map(([ext, type]) => [type, ext]),
);

/** Bytes `sniffAudio` looks at. */
export const SNIFF_BYTES = 12;

const ascii = (head: Buffer, at: number, text: string): boolean =>
  head.length >= at + text.length && head.toString('latin1', at, at + text.length) === text;

/** The audio type the file's first bytes (magic numbers) show, or undefined. */
export const sniffAudio = (head: Buffer): string | undefined => {
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (ascii(head, 0, 'ID3')) return 'audio/mpeg';
  if (ascii(head, 0, 'OggS')) return 'audio/ogg';
  if (ascii(head, 0, 'fLaC')) return 'audio/flac';
  if (ascii(head, 0, '#!AMR')) return 'audio/amr';
  if (ascii(head, 4, 'ftyp')) return 'audio/mp4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'audio/webm';
  const [first, second] = [head[0], head[1]];
  // MPEG audio frame sync: 11 set bits. Layer bits 00 are AAC in an ADTS frame.
  if (first === 0xff && second !== undefined && (second & 0xe0) === 0xe0) {
    return (second & 0x06) === 0 ? 'audio/aac' : 'audio/mpeg';
  }
  return undefined;
};

export interface StoredType {
  readonly contentType: string;
  /** The object key's extension. */
  readonly extension: string;
}

/** The type an object is stored as: sniffed from its bytes, else the link's audio extension, else binary. */
export const storedTypeOf = (head: Buffer, url: URL): StoredType => {
  const sniffed = sniffAudio(head);
  if (sniffed) return { contentType: sniffed, extension: EXTENSION_OF[sniffed] ?? 'bin' };
  const fromPath = /\.([a-z0-9]{2,5})$/i.exec(url.pathname)?.[1]?.toLowerCase();
  const byPath = fromPath === undefined ? undefined : BY_EXTENSION[fromPath];
  if (fromPath && byPath) return { contentType: byPath, extension: fromPath };
  return { contentType: 'application/octet-stream', extension: 'bin' };
};
