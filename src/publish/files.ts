/** The files of a deploy folder with their sizes and digests, in path order. */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface DeployedFile {
  /** Relative to the folder, with / separators. */
  readonly path: string;
  readonly absolute: string;
  readonly size: number;
  readonly sha256: string;
  readonly sha1: string;
}

function walk(root: string, rel: string, out: string[]): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    if (statSync(join(root, path)).isDirectory()) walk(root, path, out);
    else out.push(path);
  }
}

export async function readDeployedFiles(dir: string): Promise<DeployedFile[]> {
  const paths: string[] = [];
  walk(dir, '', paths);
  const files: DeployedFile[] = [];
  for (const path of paths.sort()) {
    const absolute = join(dir, path);
    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1');
    let size = 0;
    for await (const chunk of createReadStream(absolute)) {
      sha256.update(chunk as Buffer);
      sha1.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    files.push({ path, absolute, size, sha256: sha256.digest('hex'), sha1: sha1.digest('hex') });
  }
  return files;
}
