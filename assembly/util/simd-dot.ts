/** Dot product of two f32 vectors of length d: f32x4 SIMD with two accumulators, scalar tail. */
@inline export function dotF32(a: usize, b: usize, d: i32): f32 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let c = 0;
  for (; c + 8 <= d; c += 8) {
    const off = <usize>c << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(a + off), v128.load(b + off)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(a + off + 16), v128.load(b + off + 16)));
  }
  const s = f32x4.add(a0, a1);
  let sum = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  for (; c < d; c++) sum += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return sum;
}
