import { JhError } from '../../errors.ts';
import { loadMachine, machineOption, openProject, type Command } from '../common.ts';
import { relative } from 'node:path';

const hexReplacer = (key: string, value: unknown) =>
  typeof value === 'number' && value > 0xffff && /phys|virt|size|base|address|Base|Address|start/i.test(key) ? `0x${value.toString(16)}` : value;

const command: Command = {
  summary: 'print a resolved recipe, machine or template and which file each part came from',
  usage: 'show recipe NAME | machine NAME | template NAME | recipes | machines | layers',
  options: machineOption,
  async run(args, values) {
    const project = await openProject(values);
    const [what, name] = args;
    const out = (text: string) => process.stdout.write(`${text}\n`);
    if (what === 'recipes') return out(project.recipeNames().join('\n')), 0;
    if (what === 'machines') return out(project.machineNames().join('\n')), 0;
    if (what === 'layers') return out(project.layers.map((l) => `${l.priority}\t${l.name}\t${relative(project.root, l.dir) || '.'}`).join('\n')), 0;
    if (!name) throw new JhError('E_USAGE', `show ${what ?? ''}: name what to show`, { hint: this.usage });
    if (what === 'recipe') {
      const recipe = await project.loadRecipe(name);
      const value = {
        name: recipe.name, version: recipe.version, license: recipe.license, summary: recipe.summary, source: recipe.source,
        depends: recipe.depends.map((d) => `${d.recipe}:${d.task} -> ${name}:${d.for}`),
        patches: recipe.patches.map((p) => relative(project.root, p.path)), files: recipe.files.map((f) => relative(project.root, f.path)),
        templates: Object.fromEntries(recipe.templates.map((t) => [t, relative(project.root, project.templatePath(t))])),
        machineKeys: recipe.machineKeys, tools: recipe.tools, vars: recipe.vars,
        steps: Object.keys(recipe.tasks), origins: recipe.origins,
      };
      if (values.json) return out(JSON.stringify(value)), 0;
      for (const [key, v] of Object.entries(value)) {
        if (key === 'origins') continue;
        const from = recipe.origins[key] ? `    # from ${recipe.origins[key]}` : '';
        out(`${key}: ${JSON.stringify(v)}${from}`);
      }
      return 0;
    }
    if (what === 'machine') {
      const machine = await loadMachine(project, { ...values, machine: name });
      const files = project.machineFiles(name).map((f) => relative(project.root, f));
      const value = { ...machine, file: files[0], overrides: files.slice(1) };
      out(JSON.stringify(value, hexReplacer, values.json ? 0 : 2));
      return 0;
    }
    if (what === 'template') {
      const origins = project.templateOrigins(name);
      if (origins.length === 0) project.templatePath(name);
      out(`${name}: ${origins[origins.length - 1]}${origins.length > 1 ? `  (overrides ${origins.slice(0, -1).join(', ')})` : ''}`);
      return 0;
    }
    throw new JhError('E_USAGE', `show ${what}: unknown`, { hint: this.usage });
  },
};
export default command;
