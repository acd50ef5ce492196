// js/inflate.js, the inlined entry's synchronous inflater: round trips of
// random and structured data deflated by zopfli and by node:zlib (stored,
// fixed and dynamic blocks), the package's own inlined wasm, and corrupt
// input (truncated, bit flips, forged headers), which must throw its
// error, never hang or return other bytes.
//
// Run: node --test tests/js/inflate.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { constants, deflateRawSync, deflateSync } from "node:zlib";

import { adler32, inflate } from "../../pkg/inflate.js";
import { WASM, WASM_ADLER32, WASM_LENGTH } from "../../pkg/profile_registry_inline.js";

const pkg = new URL("../../pkg/", import.meta.url);
const CORRUPT = /inflate: corrupt deflate data \(/;

/** A seeded generator of bytes (xorshift32), so a failure reproduces. */
function random(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
}
const randomBytes = (n, seed) => Uint8Array.from({ length: n }, random(seed));
/** Text-like data: words from a small vocabulary, with long and short repeats. */
function structured(n, seed) {
  const next = random(seed);
  const words = ["profile", "socket", "registry", "whereis", "connect", "\n", " ", "{\"id\":", "}", "0123456789"];
  let s = "";
  while (s.length < n) s += words[next() % words.length] + (next() < 8 ? s.slice(-300) : "");
  return new TextEncoder().encode(s.slice(0, n));
}
/** The type of the first block (0 stored, 1 fixed, 2 dynamic). */
const firstBlockType = (deflated) => (deflated[0] >> 1) & 3;

let zopfliDir;
/** `bytes` deflated by Debian's zopfli (raw deflate), or null when it is not installed. */
function zopfli(bytes) {
  try {
    zopfliDir ??= mkdtempSync(path.join(tmpdir(), "inflate-"));
    const file = path.join(zopfliDir, "data");
    writeFileSync(file, bytes);
    return new Uint8Array(execFileSync("zopfli", ["--deflate", "-c", file], { stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return null;
  }
}
const hasZopfli = zopfli(new Uint8Array([1])) !== null;

const zlib = (options) => (bytes) => new Uint8Array(deflateRawSync(bytes, options));
const DEFLATERS = {
  "zlib level 0 (stored)": zlib({ level: 0 }),
  "zlib level 1": zlib({ level: 1 }),
  "zlib level 9": zlib({ level: 9 }),
  "zlib fixed": zlib({ level: 9, strategy: constants.Z_FIXED }),
  "zlib huffman only": zlib({ level: 9, strategy: constants.Z_HUFFMAN_ONLY }),
  "zlib rle": zlib({ level: 9, strategy: constants.Z_RLE }),
  "zlib level 9, small window": zlib({ level: 9, windowBits: 9, memLevel: 1 }),
};
const SAMPLES = [
  ["empty", new Uint8Array(0)],
  ["one byte", new Uint8Array([42])],
  ["zeros", new Uint8Array(100_000)],
  ["random 1 KiB", randomBytes(1024, 1)],
  ["random 100 KiB", randomBytes(100_000, 2)],
  ["structured 3 KiB", structured(3000, 3)],
  ["structured 200 KiB", structured(200_000, 4)],
  ["the wasm", new Uint8Array(readFileSync(new URL("profile_registry_bg.wasm", pkg)))],
];

const roundTrip = (deflated, bytes) => assert.deepEqual(inflate(deflated, bytes.length, adler32(bytes)), bytes);

for (const [how, deflate] of Object.entries(DEFLATERS)) {
  test(`round trips through ${how}`, () => {
    for (const [, bytes] of SAMPLES) roundTrip(deflate(bytes), bytes);
  });
}

test("round trips through zopfli", { skip: !hasZopfli && "zopfli is not installed (scripts/setup.sh)" }, () => {
  for (const [, bytes] of SAMPLES) roundTrip(zopfli(bytes), bytes);
});

test("the samples cover stored, fixed and dynamic blocks", () => {
  const types = new Set();
  for (const deflate of Object.values(DEFLATERS)) for (const [, bytes] of SAMPLES) types.add(firstBlockType(deflate(bytes)));
  assert.deepEqual([...types].sort(), [0, 1, 2]);
  assert.equal(firstBlockType(DEFLATERS["zlib level 0 (stored)"](SAMPLES[3][1])), 0);
  assert.equal(firstBlockType(DEFLATERS["zlib fixed"](SAMPLES[5][1])), 1);
  assert.equal(firstBlockType(DEFLATERS["zlib level 9"](SAMPLES[6][1])), 2);
});

test("random data of many lengths, each strategy", () => {
  const next = random(5);
  for (let i = 0; i < 200; i++) {
    const n = (next() << 4) | (next() & 15);
    const bytes = i % 2 ? randomBytes(n, i + 10) : structured(n, i + 10);
    const deflate = Object.values(DEFLATERS)[i % Object.keys(DEFLATERS).length];
    roundTrip(deflate(bytes), bytes);
  }
});

test("the inlined wasm inflates to the package's .wasm", () => {
  const wasm = new Uint8Array(readFileSync(new URL("profile_registry_bg.wasm", pkg)));
  const deflated = Uint8Array.from(atob(WASM), (c) => c.charCodeAt(0));
  assert.equal(WASM_LENGTH, wasm.length);
  assert.equal(WASM_ADLER32, adler32(wasm));
  assert.deepEqual(inflate(deflated, WASM_LENGTH, WASM_ADLER32), wasm);
  assert.ok(deflated.length < wasm.length * 0.5, `deflated ${deflated.length} B of ${wasm.length} B`);
});

test("adler32 agrees with zlib's (the trailer of its zlib format)", () => {
  assert.equal(adler32(new TextEncoder().encode("Wikipedia")), 0x11e60398);
  for (const [what, bytes] of [...SAMPLES, ["64 KiB of 0xff", new Uint8Array(65536).fill(0xff)]]) {
    assert.equal(adler32(bytes), deflateSync(bytes).readUInt32BE(deflateSync(bytes).length - 4), what);
  }
});

test("truncated input throws, at every cut", () => {
  const bytes = structured(5000, 6);
  for (const deflate of Object.values(DEFLATERS)) {
    const deflated = deflate(bytes);
    for (let cut = 0; cut < deflated.length; cut += Math.max(1, deflated.length >> 6)) {
      assert.throws(() => inflate(deflated.subarray(0, cut), bytes.length, adler32(bytes)), CORRUPT, `cut at ${cut}`);
    }
  }
});

test("a wrong expected length throws", () => {
  const bytes = structured(5000, 7);
  const deflated = DEFLATERS["zlib level 9"](bytes);
  assert.throws(() => inflate(deflated, bytes.length - 1), /longer than expected/);
  assert.throws(() => inflate(deflated, bytes.length + 1), /shorter than expected/);
  const stored = DEFLATERS["zlib level 0 (stored)"](bytes);
  assert.throws(() => inflate(stored, bytes.length - 1), /longer than expected/);
});

test("bit flips throw, or (with the checksum) never return other bytes", () => {
  const bytes = structured(4000, 8);
  const next = random(9);
  let thrown = 0, flips = 0;
  for (const deflate of Object.values(DEFLATERS)) {
    const deflated = deflate(bytes);
    for (let i = 0; i < 150; i++) {
      const bad = deflated.slice();
      const at = ((next() << 8) | next()) % bad.length;
      bad[at] ^= 1 << (next() & 7);
      flips++;
      const started = performance.now();
      try {
        // Without the checksum a flip in a literal can decode to bytes of the right length; with it, never.
        assert.deepEqual(inflate(bad, bytes.length, adler32(bytes)), bytes, `flip at ${at} returned other bytes`);
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.match(e.message, CORRUPT);
        thrown++;
      }
      assert.ok(performance.now() - started < 1000, "a corrupt input decodes in bounded time");
    }
  }
  assert.ok(thrown > flips * 0.9, `${thrown} of ${flips} flips threw`);
});

/** Deflate's bit order: each [value, count] field packed from its low bit up, into bytes from their low bit up. */
function packBits(fields) {
  const out = new Uint8Array(64);
  let at = 0;
  for (const [value, count] of fields) for (let i = 0; i < count; i++, at++) out[at >> 3] |= ((value >> i) & 1) << (at & 7);
  return out.subarray(0, (at + 7) >> 3);
}
/** A Huffman code of `count` bits, which deflate sends from its high bit down. */
const code = (value, count) => [parseInt(value.toString(2).padStart(count, "0").split("").reverse().join(""), 2), count];

test("forged headers throw their error", () => {
  const cases = [
    ["block type 3", packBits([[1, 1], [3, 2]]), /block type 3/],
    ["stored length not matching its complement", new Uint8Array([0b1, 5, 0, 5, 0, 1, 2, 3, 4, 5]), /stored length/],
    ["too many length codes", packBits([[1, 1], [2, 2], [31, 5], [0, 5], [0, 4]]), /too many codes/],
    // Four code-length codes, each 1 bit long: more codes than 1 bit holds.
    ["an over-subscribed code", packBits([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [1, 3], [1, 3], [1, 3], [1, 3]]), /over-subscribed code/],
    // A fixed block whose first symbol is a length (257: 3 bytes, code 0000001) at distance 1 (code 00000): before any output.
    ["distance too far back", packBits([[1, 1], [1, 2], code(1, 7), code(0, 5)]), /distance too far back/],
    // A fixed block: literal 'a' (code 0x30 + 0x61, 8 bits), then end of block (code 0000000), expecting 2 bytes.
    ["shorter than expected", packBits([[1, 1], [1, 2], code(0x30 + 0x61, 8), code(0, 7)]), /shorter than expected/],
  ];
  for (const [what, data, error] of cases) assert.throws(() => inflate(data, 2), error, what);
  // The last one, expecting 1 byte, is well formed.
  assert.deepEqual(inflate(cases.at(-1)[1], 1), new Uint8Array([0x61]));
});
