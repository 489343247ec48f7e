/** A new i32 array of length n with every element set to `value`. */
export function filledI32(n: i32, value: i32): StaticArray<i32> {
  const a = new StaticArray<i32>(n);
  if (value != 0) for (let i = 0; i < n; i++) unchecked(a[i] = value);
  return a;
}
