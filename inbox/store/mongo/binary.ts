/**
 * The bytes of a stored BSON binary as the driver hands it back: its `Binary` (the bytes up to `position`) or a
 * Buffer; null for anything else (a field of an older form, or none).
 */
export function binaryBytes(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (v && typeof v === 'object' && 'buffer' in v && v.buffer instanceof Uint8Array) {
    const { buffer, position } = v as { buffer: Uint8Array; position?: number };
    return buffer.subarray(0, position ?? buffer.byteLength);
  }
  return null;
}
