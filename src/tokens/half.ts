/**
 * 16-bit floats for `.kvtrace` arrays: IEEE half (f16) and bfloat16 (bf16), the dtypes models are
 * recorded in. Widening is exact; narrowing rounds to nearest, ties to even, as torch's `.half()`
 * and `.bfloat16()` do.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function f32ToF16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the full mantissa, rounding to nearest even.
    if (e < -10) return sign;
    const m = frac | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let out = m >>> shift;
    if (rest > half || (rest === half && out & 1)) out++;
    return sign | out;
  }
  let out = (e << 10) | (frac >>> 13);
  const rest = frac & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && out & 1)) out++; // may carry into the exponent, as it should
  return sign | out;
}

export function bf16ToF32(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}

export function f32ToBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // NaN stays NaN
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}
