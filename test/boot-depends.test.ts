/** Dependencies that hold for some machines only, and apt entries for a component the host does not list. Pure. */
import test from 'ava';
import { recipeForMachine, type Recipe } from '../src/engine/recipe.ts';
import { componentEntries } from '../src/fetch/apt-sources.ts';
import { BOOT_DEPENDS } from '../src/boot/index.ts';

const image = {
  name: 'image', depends: [{ recipe: 'linux', task: 'deploy', for: 'deploy' }, ...BOOT_DEPENDS.map((d) => ({ task: 'install', for: 'configure', ...d }))],
} as unknown as Recipe;

test('boot firmware recipes are dependencies only of machines booted by that method', (t) => {
  t.deepEqual(recipeForMachine(image, { boot: 'rpi-firmware' }).depends.map((d) => d.recipe), ['linux', 'raspi-firmware', 'tf-a']);
  t.deepEqual(recipeForMachine(image, { boot: 'qemu' }).depends.map((d) => d.recipe), ['linux']);
  t.deepEqual(recipeForMachine(image, { boot: 'grub-efi' }).depends.map((d) => d.recipe), ['linux']);
});

test('a component is looked up on the host\'s own archives and suites, deb822 and one-line', (t) => {
  const entries = componentEntries([
    { name: 'debian.sources', text: 'Types: deb\nURIs: http://archive.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/k.gpg\n\nTypes: deb\nURIs: http://off.test/\nSuites: x\nComponents: main\nEnabled: no\n' },
    { name: 'extra.list', text: 'deb [signed-by=/k2.gpg] http://other.test/debian bookworm main contrib\ndeb-src http://other.test/debian bookworm main\n' },
  ], 'non-free-firmware');
  t.is(entries, [
    'Types: deb deb-src\nURIs: http://archive.test/debian\nSuites: bookworm bookworm-updates\nComponents: non-free-firmware\nSigned-By: /usr/share/keyrings/k.gpg\n',
    'Types: deb deb-src\nURIs: http://other.test/debian\nSuites: bookworm\nComponents: non-free-firmware\nSigned-By: /k2.gpg\n',
  ].join('\n'));
});
