/** A copy of this project (sources, recipes, machines, templates) to edit without touching the real one. */
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function copyProject(root: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'jhbuild-project-'));
  for (const part of ['package.json', 'src', 'recipes', 'machines', 'templates', 'layers']) {
    cpSync(join(root, part), join(copy, part), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}
