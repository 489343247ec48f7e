/** A new i32 array of length n with every element set to `value`. */
export function filledI32(n: i32, value: i32): StaticArray<i32> {
  const a = new StaticArray<i32>(n);
  if (value != 0) for (let i = 0; i < n; i++) unchecked(a[i] = value);
  return a;
}

/** A copy of `a` with room for n elements (the first min(n, a.length) kept, the rest 0). */
export function resizedI32(a: StaticArray<i32>, n: i32): StaticArray<i32> {
  const b = new StaticArray<i32>(n);
  memory.copy(changetype<usize>(b), changetype<usize>(a), <usize>min(n, a.length) << 2);
  return b;
}

/** As `resizedI32`, for f64. */
export function resizedF64(a: StaticArray<f64>, n: i32): StaticArray<f64> {
  const b = new StaticArray<f64>(n);
  memory.copy(changetype<usize>(b), changetype<usize>(a), <usize>min(n, a.length) << 3);
  return b;
}

/** As `resizedI32`, for u8. */
export function resizedU8(a: StaticArray<u8>, n: i32): StaticArray<u8> {
  const b = new StaticArray<u8>(n);
  memory.copy(changetype<usize>(b), changetype<usize>(a), <usize>min(n, a.length));
  return b;
}
