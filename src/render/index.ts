/** The only place that imports handlebars: strict (a missing value is an error), no HTML escaping. */
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JhError } from '../errors.ts';

const hb = Handlebars.create();
hb.registerHelper('hex', (value: unknown) => `0x${Number(value).toString(16)}`);
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ' ') : ''));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const compiled = new Map<string, Handlebars.TemplateDelegate>();

const partialDirs = new Set<string>();

/** Templates named *.hbs beside `path` are available to it as partials ({{> name}}). */
export function renderTemplateFile(path: string, data: unknown): string {
  const dir = dirname(path);
  if (!partialDirs.has(dir)) {
    partialDirs.add(dir);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      hb.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
    }
  }
  let template = compiled.get(path);
  if (!template) {
    template = hb.compile(readFileSync(path, 'utf8'), { strict: true, noEscape: true });
    compiled.set(path, template);
  }
  try {
    return template(data);
  } catch (error) {
    throw new JhError('E_TEMPLATE', `cannot render: ${(error as Error).message}`, { file: path,
      hint: 'the template reads a value the data does not have; fix the name or pass the value' });
  }
}
