/** What every renderer of build events offers: the listr2 tree, plain lines, JSON lines. */
import type { BuildEvent } from '../engine/run.ts';

export interface Ui {
  emit(event: BuildEvent): void;
  /** Waits for the renderer to draw its last frame. */
  close(): Promise<void>;
}
