/**
 * Device-tree fragments a machine keeps beside its file, read when the machine loads: a .dtsi
 * holds a board device's nodes for a Linux guest's tree, a .dtso the properties the root's
 * overlay sets. Their text lands in the machine's values, so a task that reads them is re-signed
 * when a fragment changes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JhError } from '../errors.ts';
import type { DtProperty } from './types.ts';

const pathOf = (file: string | URL) => (typeof file === 'string' ? file : fileURLToPath(file));
/** Comments and blank lines before the first statement (a file's purpose, its source). */
const LEADING_COMMENTS = /^(?:\s*(?:\/\*[\s\S]*?\*\/|\/\/[^\n]*))*\s*/;

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new JhError('E_DT_FRAGMENT', `cannot read the device-tree fragment ${path}: ${(error as Error).message}`, {
      file: path, hint: 'put the .dtsi/.dtso file beside the machine file that names it' });
  }
}

/**
 * The nodes a .dtsi adds to the root node, as `board.devices[].dts` holds them. The file is a
 * device-tree include of one root node, `/ { ... };`, its nodes indented one tab; the body comes
 * back with its first line unindented (the guest's tree template indents it).
 */
export function readDtsiNodes(file: string | URL): string {
  const path = pathOf(file);
  const body = /^\/ \{\n([\s\S]*?)\n\};\s*$/.exec(read(path).replace(LEADING_COMMENTS, ''))?.[1];
  if (body === undefined || !body.startsWith('\t') || body.trim() === '') {
    throw new JhError('E_DT_FRAGMENT', `${path}: expected one root node, "/ {" on its own line, the nodes indented by a tab, and "};" last`, {
      file: path, hint: 'write the guest\'s nodes as a .dtsi: / {\\n\\tuart1: serial@fe215040 {\\n\\t\\t...\\n\\t};\\n};' });
  }
  return body.slice(1);
}

const NODE_REF = /&\{(\/[^{}\s]*)\}\s*\{((?:"[^"]*"|[^{}"])*)\};/y;
/** `name = value;`, a value's strings may hold any character but a quote. */
const PROPERTY = /\s*([A-Za-z0-9,._+#?-]+)\s*=\s*((?:"[^"]*"|[^;"])+);/y;

/**
 * The properties a .dtso sets on nodes of the board's tree, for `rootDtProperties`: an overlay of
 * `&{/path} { name = value; };` blocks (after `/dts-v1/;` and `/plugin/;`). jhbuild merges them
 * into the overlay it generates with the Jailhouse reservations.
 */
export function readDtsoProperties(file: string | URL): DtProperty[] {
  const path = pathOf(file);
  const fail = (what: string): never => {
    throw new JhError('E_DT_FRAGMENT', `${path}: ${what}`, {
      file: path, hint: 'the root overlay fragment holds only property assignments by path: &{/scb/pcie@7d500000} {\\n\\tlinux,pci-domain = <0>;\\n};' });
  };
  const text = read(path).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    .replace(/^\s*\/dts-v1\/;/, '').replace(/^\s*\/plugin\/;/, '').trim();
  const properties: DtProperty[] = [];
  for (let at = 0; at < text.length; at = NODE_REF.lastIndex) {
    while (/\s/.test(text[at] ?? '')) at++;
    if (at >= text.length) break;
    NODE_REF.lastIndex = at;
    const block = NODE_REF.exec(text);
    if (!block) fail(`expected "&{/path} { name = value; };" at "${text.slice(at, at + 40).split('\n')[0]}"`);
    const body = block![2]!;
    for (let from = 0; body.slice(from).trim() !== ''; from = PROPERTY.lastIndex) {
      PROPERTY.lastIndex = from;
      const property = PROPERTY.exec(body);
      if (!property) fail(`in &{${block![1]}}: expected "name = value;" at "${body.slice(from).trim().split('\n')[0]}"`);
      properties.push({ path: block![1]!, name: property![1]!, value: property![2]!.trim() });
    }
  }
  if (properties.length === 0) fail('sets no property');
  return properties;
}
