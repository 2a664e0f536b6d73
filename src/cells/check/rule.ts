/** The shape of a check rule, what it is given (CheckContext), and the one walk over cells that keeps each cell's findings together. */
import type { Cell, CellConfig, SystemConfig } from '../model.ts';
import type { Add, CheckOptions } from './finding.ts';

export interface CheckContext {
  readonly system: SystemConfig;
  /** The non-root cell configs as given, with the architecture each was built for. */
  readonly configs: readonly CellConfig[];
  readonly options: CheckOptions;
  readonly root: Cell;
  /** The non-root cells, in the order given. */
  readonly cells: readonly Cell[];
  /** The root cell, then the non-root cells. */
  readonly all: readonly Cell[];
  /** The virtual PCI host's window (MMCONFIG plus the emulated BARs), if the platform has one. */
  readonly vpci: { readonly start: number; readonly end: number } | undefined;
}

/** One rule over the whole system; checkConfigs runs a fixed list of them (check/index.ts). */
export interface CheckRule {
  readonly name: string;
  check(ctx: CheckContext, add: Add): void;
}

/**
 * A rule about one cell at a time. It is called once per check and returns the test for one
 * cell, so what it works out once (the hypervisor's ranges) or remembers from earlier cells (which
 * CPUs they took) lives in that closure rather than in shared state.
 */
export interface CellRule {
  readonly name: string;
  forCells(ctx: CheckContext, add: Add): (cell: Cell) => void;
}

/**
 * One walk over `which` cells that runs every rule on a cell before the next cell: a cell's
 * findings come out together, in the order the rules are listed.
 */
export function eachCell(name: string, which: (ctx: CheckContext) => readonly Cell[], rules: readonly CellRule[]): CheckRule {
  return {
    name,
    check(ctx, add) {
      const tests = rules.map((r) => r.forCells(ctx, add));
      for (const cell of which(ctx)) for (const test of tests) test(cell);
    },
  };
}
