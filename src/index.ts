/** jhbuild's public API for recipes, machines, layers and programs that drive builds. */
export { defineRecipe, defineRecipeAppend, defineMachine, defineLayer, defineKind, tarball, debian, git, local } from './project/define.ts';
export type { LayerInput } from './project/define.ts';
export type { RecipeInput, RecipeAppend, Recipe, TaskContext, TaskFn, Kind } from './core/recipe.ts';
export type { MachineInput, Machine } from './machine/types.ts';
export { loadProject } from './project/load.ts';
export { planBuild, runPlan } from './build/build.ts';
export { STEPS } from './core/types.ts';
export type { Step } from './core/types.ts';
export { JhError } from './errors.ts';
export { copyInto } from './build/copy-into.ts';
export { mem, ram, mmio, commRegion, ivshmemSharedRegions, ivshmemNetRegions, ivshmemDevice, pciDevice, consoles, gic, irqBitmap, bdf, cellDefaults, memFlags } from './cells/helpers.ts';
export { CELL_FLAGS, SYS_FLAGS, MEM, CON_TYPE, CON_FLAGS, PCI_TYPE, SHMEM_PROTO, IOMMU_TYPE } from './cells/model.ts';
export { readDtsiNodes, readDtsoProperties } from './machine/fragments.ts';
export type { CellInput, DtProperty } from './machine/types.ts';
export type { BoardLayout, BoardDevice, CellNeeds, LinkNeeds } from './cells/place/needs.ts';
export type { MemoryRegion, PciDevice } from './cells/model.ts';
