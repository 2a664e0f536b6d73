/** What code signs a recipe: its module and what it imports, through the public API only the modules of the names it takes. */
import test from 'ava';
import { moduleClosure } from '../src/engine/modules.ts';
import { tempDir, write } from './helpers/fixture.ts';

function project(): string {
  const root = tempDir();
  write(root, 'src/index.ts', "/** facade */\nexport { kconfig } from './kinds/kconfig.ts';\nexport { spdx } from './publish/spdx.ts';\nexport type { Thing } from './thing.ts';\n");
  write(root, 'src/kinds/kconfig.ts', "import { helper } from '../cells/helper.ts';\nexport const kconfig = () => helper();\n");
  write(root, 'src/cells/helper.ts', 'export const helper = () => 1;\n');
  write(root, 'src/publish/spdx.ts', 'export const spdx = 2;\n');
  write(root, 'src/thing.ts', 'export interface Thing { a: number }\n');
  write(root, 'src/engine/run.ts', 'export const run = 3;\n');
  return root;
}

test('through the public API only the modules behind the imported names sign a recipe', (t) => {
  const root = project();
  const recipe = write(root, 'recipes/linux/linux.recipe.ts',
    "import { kconfig, type Thing } from '../../src/index.ts';\nimport type { spdx } from '../../src/index.ts';\nexport default kconfig;\n");
  t.deepEqual(moduleClosure(recipe).map((f) => f.slice(root.length + 1)),
    ['recipes/linux/linux.recipe.ts', 'src/cells/helper.ts', 'src/kinds/kconfig.ts']);
});

test('a direct import or a namespace import is followed whole; the engine is never part of a recipe\'s code', (t) => {
  const root = project();
  const recipe = write(root, 'recipes/x/x.recipe.ts',
    "import { spdx } from '../../src/publish/spdx.ts';\nimport { run } from '../../src/engine/run.ts';\nimport * as api from '../../src/index.ts';\nexport default [spdx, run, api];\n");
  t.deepEqual(moduleClosure(recipe).map((f) => f.slice(root.length + 1)),
    ['recipes/x/x.recipe.ts', 'src/cells/helper.ts', 'src/index.ts', 'src/kinds/kconfig.ts', 'src/publish/spdx.ts']);
});
