/** `jhbuild explain RECIPE:STEP`: why a task would run (changed inputs, a corrupt cache entry) or why it would not. */
import { readFileSync } from 'node:fs';
import { JhError } from '../../errors.ts';
import { diffManifests, type InputManifest } from '../../engine/hash.ts';
import { parseTaskKey } from '../../engine/types.ts';
import { planBuild } from '../../engine/build.ts';
import { buildOptions, loadMachine, openProject, parseBuildOptions, type Command } from '../common.ts';

const command: Command = {
  summary: 'say why a task would run: which declared input changed since its last build',
  usage: 'explain RECIPE:STEP [--machine M]',
  options: buildOptions,
  async run(args, values) {
    const id = args[0] ? parseTaskKey(args[0]) : undefined;
    if (!id) throw new JhError('E_USAGE', `expected RECIPE:STEP, got "${args[0] ?? ''}"`, { hint: 'e.g. jhbuild explain linux:compile' });
    const project = await openProject(values);
    const machine = await loadMachine(project, values);
    const options = parseBuildOptions(project, values);
    const plan = await planBuild(project, machine, [id.recipe], options);
    const task = plan.tasks.find((t) => t.node.id.step === id.step && t.node.id.recipe === id.recipe)!;
    const out = (text: string) => process.stdout.write(`${text}\n`);
    let last: InputManifest | undefined;
    try { last = JSON.parse(readFileSync(plan.layout.lastManifest(id.recipe, id.step), 'utf8')) as InputManifest; } catch { /* never built */ }
    const changes = last ? diffManifests(last, task.manifest) : [];
    // Needs whose result was byte-identical to an earlier one's: this task is signed with that earlier signature.
    const equivalent = task.node.needs.filter((need) => !need.startsWith(`${id.recipe}:`)).flatMap((need) => {
      const signature = plan.signatures.get(need)!.signature;
      const unihash = plan.equivalence.unihash(signature);
      return unihash === signature ? [] : [{ task: need, signature, equivalentTo: unihash }];
    });
    if (values.json) {
      out(JSON.stringify({ task: task.node.key, signature: task.signature, runs: Boolean(task.reason), reason: task.reason ?? null,
        entry: plan.layout.entry(task.signature), problems: task.problems ?? [], lastBuilt: Boolean(last), changes, equivalent }));
      return 0;
    }
    out(`${task.node.key}: ${task.reason ? `would run (${task.reason})` : 'up to date (cached)'}`);
    out(`  signature ${task.signature}`);
    for (const problem of task.problems ?? []) out(`  cache entry ${plan.layout.entry(task.signature)}: ${problem}`);
    if (!last) out('  never built on this machine: no earlier manifest to compare');
    else if (changes.length === 0) out('  inputs are the same as at its last build');
    for (const e of equivalent) {
      out(`  ${e.task} changed (${e.signature.slice(0, 12)}) but made the same bytes as before (${e.equivalentTo.slice(0, 12)}): hash equivalence keeps this task's signature`);
    }
    for (const c of changes) {
      const what = c.input.startsWith('deps/') ? `dependency ${c.input.slice(5)} changed` : c.before === undefined ? `${c.input} added`
        : c.after === undefined ? `${c.input} removed` : `${c.input} changed`;
      out(`  ${what}${c.input.startsWith('files/') || c.input.startsWith('deps/') || c.input.startsWith('code/') ? '' : `: ${c.before ?? ''} -> ${c.after ?? ''}`}`);
    }
    return 0;
  },
};
export default command;
