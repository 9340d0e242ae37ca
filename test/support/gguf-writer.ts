import { openSync, writeSync, closeSync } from 'node:fs';

/**
 * A minimal GGUF v3 writer (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): a header,
 * typed metadata key/values, tensor infos, then the tensor data, each tensor aligned to 32 bytes.
 * Enough to write small llama models for tests; only F32 and F16 tensors.
 */

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;
const ALIGNMENT = 32;

enum ValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

export enum TensorType {
  F32 = 0,
  F16 = 1,
}

/** A metadata value with its GGUF type spelled out (JS numbers alone do not say which). */
export type GgufValue =
  | { type: 'uint32'; value: number }
  | { type: 'int32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'float32[]'; value: ArrayLike<number> }
  | { type: 'int32[]'; value: ArrayLike<number> };

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the innermost (contiguous) dimension. */
  dims: readonly number[];
  type: TensorType;
  /** Row-major values, dims[0] varying fastest. */
  data: Float32Array;
}

/** Growable little-endian byte buffer. */
class ByteSink {
  #buf = Buffer.alloc(1 << 16);
  #len = 0;

  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.alloc(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#buf.writeUInt8(v, this.#len);
    this.#len += 1;
  }
  u32(v: number): void {
    this.#reserve(4);
    this.#buf.writeUInt32LE(v, this.#len);
    this.#len += 4;
  }
  i32(v: number): void {
    this.#reserve(4);
    this.#buf.writeInt32LE(v, this.#len);
    this.#len += 4;
  }
  u64(v: number): void {
    this.#reserve(8);
    this.#buf.writeBigUInt64LE(BigInt(v), this.#len);
    this.#len += 8;
  }
  f32(v: number): void {
    this.#reserve(4);
    this.#buf.writeFloatLE(v, this.#len);
    this.#len += 4;
  }
  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    while (this.#len % alignment !== 0) this.u8(0);
  }
  take(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'uint32':
      sink.u32(ValueType.UINT32);
      return sink.u32(v.value);
    case 'int32':
      sink.u32(ValueType.INT32);
      return sink.i32(v.value);
    case 'float32':
      sink.u32(ValueType.FLOAT32);
      return sink.f32(v.value);
    case 'bool':
      sink.u32(ValueType.BOOL);
      return sink.u8(v.value ? 1 : 0);
    case 'string':
      sink.u32(ValueType.STRING);
      return sink.str(v.value);
    case 'string[]':
      sink.u32(ValueType.ARRAY);
      sink.u32(ValueType.STRING);
      sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'float32[]':
      sink.u32(ValueType.ARRAY);
      sink.u32(ValueType.FLOAT32);
      sink.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) sink.f32(v.value[i]!);
      return;
    case 'int32[]':
      sink.u32(ValueType.ARRAY);
      sink.u32(ValueType.INT32);
      sink.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) sink.i32(v.value[i]!);
      return;
  }
}

/** IEEE 754 half precision bits of a float (round to nearest even; no NaN/Inf inputs expected). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1) === 1) ? 1 : 0));
  }
  if (exp >= 31) return sign | 0x7c00;
  let half = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1;
  return half;
}

function tensorBytes(t: GgufTensor): Buffer {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) throw new Error(`tensor ${t.name}: ${t.data.length} values for dims ${t.dims.join('x')}`);
  if (t.type === TensorType.F32) return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = Buffer.alloc(t.data.length * 2);
  for (let i = 0; i < t.data.length; i++) out.writeUInt16LE(toFloat16Bits(t.data[i]!), i * 2);
  return out;
}

/** Writes a GGUF v3 file. */
export function writeGguf(path: string, model: { metadata: Record<string, GgufValue>; tensors: GgufTensor[] }): void {
  const datas = model.tensors.map(tensorBytes);
  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(model.tensors.length);
  const entries = Object.entries(model.metadata);
  head.u64(entries.length);
  for (const [key, value] of entries) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  model.tensors.forEach((t, i) => {
    head.str(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(t.type);
    head.u64(offset);
    offset += datas[i]!.length;
    offset = Math.ceil(offset / ALIGNMENT) * ALIGNMENT;
  });
  head.padTo(ALIGNMENT);

  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head.take());
    const zeros = Buffer.alloc(ALIGNMENT);
    for (const data of datas) {
      writeSync(fd, data);
      const pad = (ALIGNMENT - (data.length % ALIGNMENT)) % ALIGNMENT;
      if (pad) writeSync(fd, zeros, 0, pad);
    }
  } finally {
    closeSync(fd);
  }
}
