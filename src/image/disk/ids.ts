/** Identifiers derived from a seed (the task's signature): equal inputs, equal ids; no randomness. */
import { createHash } from 'node:crypto';

const digest = (seed: string, key: string) => createHash('sha256').update(`${seed}\0${key}`).digest();

/** An RFC 4122 version-4-shaped UUID from sha256(seed, key). */
export function derivedUuid(seed: string, key: string): string {
  const b = digest(seed, key).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 32-bit id (MBR disk signature, FAT volume serial) from sha256(seed, key), as 8 hex digits. */
export function derivedId32(seed: string, key: string): string {
  return digest(seed, key).subarray(0, 4).toString('hex');
}
