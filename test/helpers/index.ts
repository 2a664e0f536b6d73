export { runCli, startCli, jsonEvents, ranTasks, repoRoot } from './cli.ts';
export { tempDir, write } from './fixture.ts';
