/** The partition table, written by sfdisk on the image file (no loop device, no root). */
import { runProcess } from '../../exec/index.ts';
import type { DiskPlan } from './types.ts';

const SECTOR = 512;

/** sfdisk's script for a plan. Pure. */
export function sfdiskScript(plan: DiskPlan): string {
  const lines = [`label: ${plan.table === 'gpt' ? 'gpt' : 'dos'}`, `label-id: ${plan.diskId}`, 'unit: sectors'];
  if (plan.table === 'gpt') lines.push('first-lba: 34', `last-lba: ${plan.size / SECTOR - 34}`);
  for (const p of plan.partitions) {
    const fields = [`start=${p.offset / SECTOR}`, `size=${p.size / SECTOR}`, `type=${p.type}`];
    if (plan.table === 'gpt') fields.push(`uuid=${p.uuid}`, `name="${p.name}"`, ...(p.bootable ? ['attrs="LegacyBIOSBootable"'] : []));
    else if (p.bootable) fields.push('bootable');
    lines.push(fields.join(', '));
  }
  return `${lines.join('\n')}\n`;
}

export async function writePartitionTable(image: string, plan: DiskPlan, log: string, signal?: AbortSignal): Promise<void> {
  await runProcess('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', '--wipe', 'never', image], { input: sfdiskScript(plan), log, signal });
}
