import { KvsimInputError } from "../errors.js";

/** A KV storage format: bytes per stored scalar and the fixed cost of decoding a page (ms). */
export interface QuantizationScheme {
  readonly bytesPerScalar: number;
  readonly decodePenaltyMs: number;
}

/** The four schemes of kv-hierarchy-lab (`quant/schemes.py`). */
export const QUANTIZATION_SCHEMES = {
  fp16: { bytesPerScalar: 2.0, decodePenaltyMs: 0.0 },
  fp8: { bytesPerScalar: 1.0, decodePenaltyMs: 0.01 },
  int4: { bytesPerScalar: 0.5, decodePenaltyMs: 0.03 },
  int2: { bytesPerScalar: 0.25, decodePenaltyMs: 0.06 },
} as const satisfies Record<string, QuantizationScheme>;

export type QuantizationName = keyof typeof QUANTIZATION_SCHEMES;

export function quantizationScheme(name: string): QuantizationScheme {
  const scheme = (QUANTIZATION_SCHEMES as Record<string, QuantizationScheme>)[name];
  if (!scheme) {
    throw new KvsimInputError(
      `unknown quantization scheme "${name}" (known: ${Object.keys(QUANTIZATION_SCHEMES).join(", ")})`,
    );
  }
  return scheme;
}

/** Page footprint: max(1, trunc(max(1, scalars) × bytes per scalar)), as kv-hierarchy-lab sizes pages. */
export function footprintBytes(scalars: number, scheme: QuantizationScheme): number {
  return Math.max(1, Math.trunc(Math.max(1, scalars) * scheme.bytesPerScalar));
}
