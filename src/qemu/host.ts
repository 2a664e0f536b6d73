/** What this host offers QEMU (read once per run). */
import { existsSync, readFileSync } from 'node:fs';
import type { KvmHost } from './argv.ts';

export function readKvmHost(): KvmHost {
  let flags = '';
  try { flags = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* not Linux */ }
  return { device: existsSync('/dev/kvm'), vmx: /\bvmx\b/.test(flags), svm: /\bsvm\b/.test(flags) };
}
