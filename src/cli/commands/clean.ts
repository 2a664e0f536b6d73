import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../../errors.ts';
import { acquireBuildLock } from '../../engine/lock.ts';
import { buildLayout } from '../../engine/layout.ts';
import { buildDirOf, DEFAULT_MACHINE, machineOption, openProject, type Command } from '../common.ts';

const command: Command = {
  summary: "remove recipes' work folders and cached results (downloads are kept)",
  usage: 'clean RECIPE... [--machine M]',
  options: machineOption,
  async run(args, values) {
    if (args.length === 0) throw new JhError('E_USAGE', 'name the recipes to clean', { hint: 'e.g. jhbuild clean busybox' });
    const project = await openProject(values);
    for (const name of args) await project.loadRecipe(name);
    const buildDir = buildDirOf(project, values);
    const layout = buildLayout(buildDir, typeof values.machine === 'string' ? values.machine : DEFAULT_MACHINE);
    const lock = acquireBuildLock(buildDir, `clean ${args.join(' ')}`);
    try {
      let entries = 0;
      const prefixes = args.map((n) => `${n}:`);
      if (existsSync(layout.cache)) {
        for (const shard of readdirSync(layout.cache)) {
          if (shard.startsWith('.tmp-') || shard.length !== 2) continue;
          for (const sig of readdirSync(join(layout.cache, shard))) {
            const entry = join(layout.cache, shard, sig);
            try {
              const task = (JSON.parse(readFileSync(join(entry, 'manifest.json'), 'utf8')) as { task: string }).task;
              if (prefixes.some((p) => task.startsWith(p))) { rmSync(entry, { recursive: true, force: true }); entries++; }
            } catch { /* not an entry */ }
          }
        }
      }
      for (const name of args) {
        rmSync(layout.work(name), { recursive: true, force: true });
        rmSync(join(layout.deploy, name), { force: true });
      }
      process.stdout.write(`cleaned ${args.join(', ')}: ${entries} cached results removed\n`);
    } finally {
      lock.release();
    }
    return 0;
  },
};
export default command;
