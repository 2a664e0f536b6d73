import { JhError } from '../../errors.ts';
import { BOOT_CONTEXTS, cellLinuxCommand, findCell, quoteCmdline, ROOT_OVERLAY_TEMPLATE, reservedRanges, rootCmdline, rootOverlayData, shellQuote, type BootContext } from '../../system/cmdline.ts';
import { renderTemplateFile } from '../../render/index.ts';
import { loadMachine, machineOption, openProject, type Command } from '../common.ts';

const command: Command = {
  summary: "print the root kernel's cmdline (or a Linux cell's) derived from the machine, quoted for a boot context",
  usage: `cmdline [--machine M] [--cell NAME] [--for ${BOOT_CONTEXTS.join('|')}] [--dtso]`,
  options: {
    ...machineOption,
    cell: { type: 'string', description: 'a non-root Linux cell: print its guest cmdline and `jailhouse cell linux` command', placeholder: 'NAME' },
    for: { type: 'string', description: `boot context: ${BOOT_CONTEXTS.join(', ')} (default argv)`, placeholder: 'CTX' },
    dtso: { type: 'boolean', description: 'print the device-tree overlay that reserves the Jailhouse memory' },
  },
  async run(_args, values) {
    const project = await openProject(values);
    const machine = await loadMachine(project, values);
    const context = (typeof values.for === 'string' ? values.for : 'argv') as BootContext;
    if (!BOOT_CONTEXTS.includes(context)) throw new JhError('E_USAGE', `--for ${context}: unknown boot context`, { hint: `use one of ${BOOT_CONTEXTS.join(', ')}` });
    const out = (text: string) => process.stdout.write(`${text}\n`);
    if (values.dtso) {
      out(renderTemplateFile(project.templatePath(ROOT_OVERLAY_TEMPLATE), rootOverlayData(machine)).trimEnd());
      return 0;
    }
    if (typeof values.cell === 'string') {
      const cell = findCell(machine, values.cell);
      const { guest, argv } = cellLinuxCommand(machine, cell, { cells: '/etc/jailhouse', kernel: '/boot/Image', initrd: '/boot/rootfs.cpio.gz', dtbs: '/etc/jailhouse/dts' });
      if (values.json) out(JSON.stringify({ guest, command: argv }));
      else out(`${quoteCmdline(guest.split(' '), context)}\n${argv.map(shellQuote).join(' ')}`);
      return 0;
    }
    const args = rootCmdline(machine);
    if (values.json) out(JSON.stringify({ args, text: quoteCmdline(args, context), reservation: machine.reservation, reserved: reservedRanges(machine) }));
    else out(quoteCmdline(args, context));
    return 0;
  },
};
export default command;
