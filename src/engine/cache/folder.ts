/** The remote cache in a plain folder (a mounted NFS share): files written under a temp name and renamed. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RemoteUnavailable, type RemoteBackend } from './backend.ts';

export class FolderBackend implements RemoteBackend {
  readonly where: string;

  constructor(dir: string) {
    this.where = resolve(dir);
  }

  private path(rel: string): string {
    if (!existsSync(this.where)) throw new RemoteUnavailable(`cache folder ${this.where} is not there`);
    return join(this.where, rel);
  }

  async get(rel: string): Promise<Buffer | undefined> {
    const file = this.path(rel);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  async download(rel: string, file: string): Promise<boolean> {
    const from = this.path(rel);
    if (!existsSync(from)) return false;
    copyFileSync(from, file);
    return true;
  }

  async exists(rel: string): Promise<boolean> {
    return existsSync(this.path(rel));
  }

  private place(rel: string, write: (temp: string) => void): void {
    const target = this.path(rel);
    mkdirSync(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}`;
    write(temp);
    renameSync(temp, target);
  }

  async upload(rel: string, file: string): Promise<void> {
    this.place(rel, (temp) => copyFileSync(file, temp));
  }

  async put(rel: string, body: Buffer): Promise<void> {
    this.place(rel, (temp) => writeFileSync(temp, body));
  }
}
