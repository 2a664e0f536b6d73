/** The only place that imports handlebars: strict (a missing value is an error), no HTML escaping. */
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { JhError } from '../errors.ts';

const hb = Handlebars.create();
hb.registerHelper('hex', (value: unknown) => `0x${Number(value).toString(16)}`);
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ' ') : ''));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export function renderTemplateFile(path: string, data: unknown): string {
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
