// Raw deflate (RFC 1951) decoded synchronously: how the inlined entry
// (inline.js) unpacks its wasm at import. `DecompressionStream` is
// asynchronous, so an entry that is ready at import cannot use it.
// Small rather than fast: bits are read one at a time and codes decoded
// canonically (as zlib's puff.c does), 5-10 ms for the wasm in Node.
// Corrupt or truncated input throws an `Error` naming the fault; the
// output never grows past `size`, so no input makes it loop for long; and
// with the Adler-32 of the output given, no corruption passes unseen.

const fail = (what) => {
  throw new Error(`inflate: corrupt deflate data (${what})`);
};

/** Length and distance bases and extra bits, by symbol (RFC 1951, 3.2.5). */
function bases(n, first, extra) {
  const base = [], bits = [];
  for (let i = 0, b = first; i < n; i++) {
    bits[i] = extra(i);
    base[i] = b;
    b += 1 << bits[i];
  }
  return [base, bits];
}
const [LEN_BASE, LEN_BITS] = bases(29, 3, (i) => (i < 8 ? 0 : (i >> 2) - 1));
LEN_BASE[28] = 258;
LEN_BITS[28] = 0;
const [DIST_BASE, DIST_BITS] = bases(30, 1, (i) => (i < 4 ? 0 : (i >> 1) - 1));
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code from code lengths: symbols counted per length, and ordered by code. */
function huffman(lengths) {
  const count = new Uint16Array(16), offs = new Uint16Array(16), symbol = new Uint16Array(lengths.length);
  for (const l of lengths) count[l]++;
  count[0] = 0;
  for (let l = 1, left = 1; l < 16; l++) {
    left = (left << 1) - count[l];
    if (left < 0) fail("over-subscribed code");
    offs[l] = offs[l - 1] + count[l - 1];
  }
  lengths.forEach((l, s) => {
    if (l) symbol[offs[l]++] = s;
  });
  return { count, symbol };
}

/**
 * The Adler-32 checksum of `bytes` (RFC 1950), as an unsigned number.
 *
 * @param {Uint8Array} bytes
 * @returns {number}
 * @example
 * adler32(new TextEncoder().encode("Wikipedia")); // 0x11e60398
 */
export function adler32(bytes) {
  let a = 1, b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

/**
 * Decodes raw deflate data (no zlib or gzip header) whose decoded length is `size`.
 *
 * @param {Uint8Array} data the compressed bytes
 * @param {number} size the decoded length; other lengths are an error
 * @param {number} [check] the decoded bytes' `adler32`; when given, other bytes are an error
 * @returns {Uint8Array} the decoded bytes
 * @example
 * import { deflateRawSync } from "node:zlib";
 * const text = new TextEncoder().encode("one profile, one socket");
 * inflate(deflateRawSync(text), text.length, adler32(text)); // the bytes of text
 */
export function inflate(data, size, check) {
  const out = new Uint8Array(size);
  let at = 0; // the next bit of data
  let o = 0; // the next byte of out
  const bits = (n) => {
    let v = 0;
    for (let i = 0; i < n; i++, at++) {
      if (at >>> 3 >= data.length) fail("unexpected end");
      v |= ((data[at >>> 3] >>> (at & 7)) & 1) << i;
    }
    return v;
  };
  const decode = ({ count, symbol }) => {
    for (let l = 1, code = 0, first = 0, index = 0; l < 16; l++) {
      code |= bits(1);
      if (code - count[l] < first) return symbol[index + code - first];
      index += count[l];
      first = (first + count[l]) << 1;
      code <<= 1;
    }
    return fail("no such code");
  };
  let last;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      at = (at + 7) & ~7;
      const len = bits(16);
      if (len !== (~bits(16) & 0xffff)) fail("stored length");
      const from = at >>> 3;
      if (from + len > data.length) fail("unexpected end");
      if (o + len > size) fail("longer than expected");
      out.set(data.subarray(from, from + len), o);
      o += len;
      at += len * 8;
      continue;
    }
    let lit, dist;
    if (type === 1) {
      lit = huffman(new Uint8Array(288).fill(8).fill(9, 144, 256).fill(7, 256, 280));
      dist = huffman(new Uint8Array(30).fill(5));
    } else if (type === 2) {
      const nlit = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
      if (nlit > 286 || ndist > 30) fail("too many codes");
      const cl = new Uint8Array(19);
      for (let i = 0; i < ncode; i++) cl[ORDER[i]] = bits(3);
      const clCode = huffman(cl);
      const lengths = new Uint8Array(nlit + ndist);
      for (let i = 0; i < lengths.length; ) {
        const sym = decode(clCode);
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        let fill = 0, n;
        if (sym === 16) {
          if (!i) fail("repeat with no length");
          fill = lengths[i - 1];
          n = 3 + bits(2);
        } else n = sym === 17 ? 3 + bits(3) : 11 + bits(7);
        if (i + n > lengths.length) fail("too many lengths");
        lengths.fill(fill, i, (i += n));
      }
      if (!lengths[256]) fail("no end-of-block code");
      lit = huffman(lengths.subarray(0, nlit));
      dist = huffman(lengths.subarray(nlit));
    } else fail("block type 3");
    for (let sym; (sym = decode(lit)) !== 256; ) {
      if (sym < 256) {
        if (o >= size) fail("longer than expected");
        out[o++] = sym;
        continue;
      }
      sym -= 257;
      if (sym >= 29) fail("bad length code");
      const len = LEN_BASE[sym] + bits(LEN_BITS[sym]);
      const d = decode(dist);
      if (d >= 30) fail("bad distance code");
      const back = DIST_BASE[d] + bits(DIST_BITS[d]);
      if (back > o) fail("distance too far back");
      if (o + len > size) fail("longer than expected");
      for (let i = 0; i < len; i++, o++) out[o] = out[o - back];
    }
  } while (!last);
  if (o !== size) fail("shorter than expected");
  if (check !== undefined && adler32(out) !== check) fail("checksum");
  return out;
}
