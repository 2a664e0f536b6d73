/** UART compatibles -> Jailhouse console types (include/jailhouse/console.h) and the Linux tty each driver names. */
import { CON_FLAGS, CON_TYPE } from '../../cells/model.ts';

export interface UartKind {
  readonly type: number;
  /** The helper of src/cells/helpers.ts `consoles` that writes this type, when there is one. */
  readonly helper?: 'pl011' | 'uart8250Mmio' | 'imx';
  readonly typeName: keyof typeof CON_TYPE;
  readonly flags: number;
  /** Linux's device name prefix, numbered by the serialN alias. */
  readonly tty: string;
  /** Sub-page UARTs keep their register window; others get one page. */
  readonly size?: number;
}

const MMIO4 = CON_FLAGS.MMIO | CON_FLAGS.REGDIST_4;
const KINDS: readonly (readonly [readonly string[], UartKind])[] = [
  [['arm,pl011', 'arm,sbsa-uart'], { type: CON_TYPE.PL011, typeName: 'PL011', helper: 'pl011', flags: MMIO4, tty: 'ttyAMA' }],
  [['brcm,bcm2835-aux-uart'], { type: CON_TYPE['8250'], typeName: '8250', helper: 'uart8250Mmio', flags: MMIO4, tty: 'ttyS', size: 0x40 }],
  [['ns16550a', 'ns16550', 'ns8250', 'snps,dw-apb-uart', 'ti,am654-uart', 'nvidia,tegra20-uart', 'nvidia,tegra186-uart', 'fsl,ns16550', 'marvell,armada-38x-uart'],
    { type: CON_TYPE['8250'], typeName: '8250', helper: 'uart8250Mmio', flags: MMIO4, tty: 'ttyS' }],
  [['fsl,imx21-uart', 'fsl,imx6q-uart', 'fsl,imx8mm-uart', 'fsl,imx8mq-uart', 'fsl,imx8mn-uart', 'fsl,imx8mp-uart'],
    { type: CON_TYPE.IMX, typeName: 'IMX', helper: 'imx', flags: MMIO4, tty: 'ttymxc' }],
  [['fsl,imx7ulp-lpuart', 'fsl,imx8qm-lpuart', 'fsl,imx8qxp-lpuart', 'fsl,imx8ulp-lpuart'], { type: CON_TYPE.IMX_LPUART, typeName: 'IMX_LPUART', flags: MMIO4, tty: 'ttyLP' }],
  [['xlnx,xuartps', 'cdns,uart-r1p12', 'cdns,uart-r1p8'], { type: CON_TYPE.XUARTPS, typeName: 'XUARTPS', flags: MMIO4, tty: 'ttyPS' }],
  [['marvell,armada-3700-uart'], { type: CON_TYPE.MVEBU, typeName: 'MVEBU', flags: MMIO4, tty: 'ttyMV' }],
  [['renesas,hscif'], { type: CON_TYPE.HSCIF, typeName: 'HSCIF', flags: MMIO4, tty: 'ttySC' }],
  [['renesas,scifa'], { type: CON_TYPE.SCIFA, typeName: 'SCIFA', flags: MMIO4, tty: 'ttySC' }],
  [['renesas,scif', 'renesas,rcar-gen3-scif', 'renesas,rcar-gen2-scif'], { type: CON_TYPE.SCIF, typeName: 'SCIF', flags: MMIO4, tty: 'ttySC' }],
];

/** The console kind of a UART node by its compatible list (first match in the node's own order). */
export function uartKind(compatible: readonly string[]): { kind: UartKind; compatible: string } | undefined {
  for (const c of compatible) {
    const hit = KINDS.find(([names]) => names.includes(c));
    if (hit) return { kind: hit[1], compatible: c };
  }
  return undefined;
}
