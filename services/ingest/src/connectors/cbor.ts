import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * cborg (the CBOR codec of the IPLD project, which DAG-CBOR and the AT Protocol's own libraries build on), required by
 * its file path: it publishes only `import` exports, which `require` cannot use; Node 20.19+ loads the ES module
 * synchronously, so frames decode synchronously in the socket's message handler.
 */
interface Cborg {
  decodeFirst(data: Uint8Array, options?: { tags?: Array<(decode: () => unknown) => unknown> }): [unknown, Uint8Array];
  encode(data: unknown): Uint8Array;
  /** A value to encode under a tag (tests build firehose frames with it). */
  Tagged: new (tag: number, value: unknown) => unknown;
}

function requireCborg(): Cborg {
  for (const dir of require.resolve.paths('cborg') ?? []) {
    const file = join(dir, 'cborg', 'cborg.js');
    if (existsSync(file)) return require(file) as Cborg;
  }
  throw new Error('cannot find cborg: run npm install');
}

export const cborg = requireCborg();

/** A CID link (CBOR tag 42) kept as its bytes; `key` compares links (hex of the binary CID). */
export class CidLink {
  constructor(readonly bytes: Uint8Array) {}
  get key(): string {
    return Buffer.from(this.bytes).toString('hex');
  }
}

const tags: Array<(decode: () => unknown) => unknown> = [];
// DAG-CBOR's tag 42: a byte string whose first byte is the identity multibase prefix (0x00), then the binary CID.
tags[42] = (decode) => {
  const inner = decode(); // cborg 6 hands a tag decoder a function that decodes its content
  if (!(inner instanceof Uint8Array) || inner[0] !== 0) throw new Error('a CID link (tag 42) that is not 0x00 and a binary CID');
  return new CidLink(inner.subarray(1));
};

/** Decodes the first DAG-CBOR value of `bytes`; answers it and the bytes after it. */
export function decodeFirst(bytes: Uint8Array): [unknown, Uint8Array] {
  return cborg.decodeFirst(bytes, { tags });
}

function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let shift = 0, i = at; i < bytes.length && shift < 49; i++, shift += 7) {
    value += (bytes[i]! & 0x7f) * 2 ** shift;
    if ((bytes[i]! & 0x80) === 0) return [value, i + 1];
  }
  throw new Error('a truncated varint');
}

/** The length in bytes of the binary CIDv1 at `at` (version, codec, multihash code, digest length, digest). */
function cidLength(bytes: Uint8Array, at: number): number {
  const [version, afterVersion] = varint(bytes, at);
  let i = afterVersion;
  if (version !== 1) throw new Error(`a CID of version ${version} (only CIDv1 is used by atproto)`);
  [, i] = varint(bytes, i); // codec
  [, i] = varint(bytes, i); // multihash code
  const [digest, j] = varint(bytes, i);
  if (j + digest > bytes.length) throw new Error('a truncated CID');
  return j + digest - at;
}

/**
 * The blocks of a CAR v1 file (a varint-prefixed DAG-CBOR header, then varint-prefixed sections of CID and block
 * data), by CID key. A firehose commit carries the records it created in one.
 */
export function readCar(bytes: Uint8Array): Map<string, Uint8Array> {
  const [headerLength, start] = varint(bytes, 0);
  const [header] = decodeFirst(bytes.subarray(start, start + headerLength));
  if ((header as { version?: number })?.version !== 1) throw new Error('not a CAR v1 file');
  const blocks = new Map<string, Uint8Array>();
  let at = start + headerLength;
  while (at < bytes.length) {
    const [length, from] = varint(bytes, at);
    const end = from + length;
    if (end > bytes.length) throw new Error('a truncated CAR section');
    const cid = cidLength(bytes, from);
    blocks.set(Buffer.from(bytes.subarray(from, from + cid)).toString('hex'), bytes.subarray(from + cid, end));
    at = end;
  }
  return blocks;
}
