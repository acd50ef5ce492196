// The wasm loader: instantiates the module and turns its exports into JS
// functions of strings, numbers and Float64Arrays. Each export's name says
// its signature, `name:params:result` (src/bindings/abi.rs): a parameter
// `s` is a string, `a` a Float64Array, `n` a number or boolean passed as
// is; the result `u` is a u32, `b` a boolean, `S` a string, none undefined.
// Strings and arrays go through the module's argument buffer (`buf`), as
// blocks at 8-aligned offsets: a u32 length, then the data 8 bytes on.

const encoder = new TextEncoder();
const decoder = () => new TextDecoder("utf-8", { ignoreBOM: true });
// Some engines' TextDecoder fails after about 2 GiB; a fresh one goes on.
let utf8 = decoder(), decoded = 0;

/** The UTF-8 string of `len` bytes at `ptr` in `memory`. */
function text(memory, ptr, len) {
  if ((decoded += len) > 2e9) { utf8 = decoder(); decoded = len; }
  return utf8.decode(new Uint8Array(memory.buffer, ptr, len));
}

/**
 * The exports of a wasm instance as JS functions, by name.
 *
 * @example
 * const w = exportsOf(new WebAssembly.Instance(module).exports);
 * w.start("ProfileRegistry"); // 0, or 1 with a payload
 */
export function exportsOf(raw) {
  const memory = raw.memory, out = {};
  for (const key of Object.keys(raw)) {
    const [name, params, result] = key.split(":");
    if (result === undefined) continue;
    const f = raw[key];
    const blocks = [...params].flatMap((p, i) => (p === "n" ? [] : [i]));
    out[name] = (...args) => {
      if (blocks.length > 0) {
        let size = 0;
        const at = blocks.map((i) => {
          const v = params[i] === "s" ? encoder.encode(args[i]) : args[i];
          const offset = size;
          size += 8 + ((v.length * (params[i] === "s" ? 1 : 8) + 7) & ~7);
          args[i] = v;
          return offset;
        });
        const base = raw.buf(size); // may grow the memory: views after it
        blocks.forEach((i, j) => {
          const ptr = base + at[j], v = args[i];
          new Uint32Array(memory.buffer, ptr, 1)[0] = v.length;
          new (params[i] === "s" ? Uint8Array : Float64Array)(memory.buffer, ptr + 8, v.length).set(v);
          args[i] = ptr;
        });
      }
      const r = f(...args);
      if (result === "u") return r >>> 0;
      if (result === "b") return r !== 0;
      if (result === "S") {
        const [ptr, len] = new Uint32Array(memory.buffer, r, 2);
        return text(memory, ptr, len);
      }
    };
  }
  return out;
}

/** Instantiates the wasm from a URL, Request, Response (or a promise of one), bytes or `WebAssembly.Module`. */
export async function instantiate(input) {
  if (typeof input === "string" || input instanceof URL || (typeof Request === "function" && input instanceof Request)) {
    input = fetch(input);
  }
  input = await input;
  if (typeof Response === "function" && input instanceof Response) {
    if (!input.ok) throw new Error(`profile-registry: loading the wasm failed: HTTP ${input.status}`);
    if (typeof WebAssembly.instantiateStreaming === "function" && input.headers.get("Content-Type") === "application/wasm") {
      return (await WebAssembly.instantiateStreaming(input)).instance;
    }
    input = await input.arrayBuffer();
  }
  const r = await WebAssembly.instantiate(input);
  return r.instance ?? r;
}

/** Instantiates the wasm synchronously from bytes or a `WebAssembly.Module`. */
export function instantiateSync(module) {
  return new WebAssembly.Instance(module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module));
}
