// The wasm loader: instantiates the module and turns its exports into JS
// functions of strings, numbers and Float64Arrays. Each export's name says
// its signature, `name:params:result` (src/bindings/abi.rs): a parameter
// `s` is a string, `a` a Float64Array, `n` a number or boolean passed as
// is; the result `u` is a u32, `b` a boolean, `S` a string, none undefined.
// Strings and arrays go through the module's argument buffer (`buf`), as
// blocks at 8-aligned offsets: a u32 length, then the data 8 bytes on.

const encoder = new TextEncoder();
let decoder, decoded = Infinity; // some engines' TextDecoder fails after ~2 GiB: a fresh one then

/**
 * The exports of a wasm instance as JS functions, by name.
 *
 * @example
 * const w = exportsOf(new WebAssembly.Instance(module).exports);
 * w.start("ProfileRegistry"); // 0, or 1 with a payload
 */
export function exportsOf(raw) {
  const out = {};
  for (const key in raw) {
    const [name, params, result] = key.split(":");
    if (result === undefined) continue;
    out[name] = (...args) => {
      // The blocks' data (bytes, by argument position), then one buffer for them all.
      const blocks = [];
      let size = 0;
      for (let i = 0; i < params.length; i++) {
        if (params[i] === "n") continue;
        const a = args[i], bytes = (blocks[i] = params[i] === "s" ? encoder.encode(a) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        size += 8 + ((bytes.length + 7) & ~7);
      }
      let at = size && raw.buf(size); // may grow the memory: views after it
      const memory = raw.memory.buffer;
      blocks.forEach((bytes, i) => {
        new Uint32Array(memory, at, 1)[0] = params[i] === "s" ? bytes.length : args[i].length; // bytes, or f64s
        new Uint8Array(memory, at + 8).set(bytes);
        args[i] = at;
        at += 8 + ((bytes.length + 7) & ~7);
      });
      const r = raw[key](...args);
      if (result === "S") {
        const [ptr, len] = new Uint32Array(raw.memory.buffer, r, 2);
        if ((decoded += len) > 2e9) [decoder, decoded] = [new TextDecoder("utf-8", { ignoreBOM: true }), len];
        return decoder.decode(new Uint8Array(raw.memory.buffer, ptr, len));
      }
      return result === "u" ? r >>> 0 : result === "b" ? r !== 0 : r;
    };
  }
  return out;
}

/** Instantiates the wasm from a URL, Request, Response (or a promise of one), bytes or `WebAssembly.Module`. */
export async function instantiate(input) {
  if (typeof input === "string" || input instanceof URL || input instanceof Request) {
    input = fetch(input);
  }
  input = await input;
  if (input instanceof Response) {
    if (!input.ok) throw new Error(`profile-registry: loading the wasm failed: HTTP ${input.status}`);
    input = await input.arrayBuffer(); // a small module: streaming compilation would gain nothing
  }
  const r = await WebAssembly.instantiate(input);
  return r.instance ?? r;
}

/** Instantiates the wasm synchronously from bytes or a `WebAssembly.Module`. */
export function instantiateSync(module) {
  return new WebAssembly.Instance(module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module));
}
