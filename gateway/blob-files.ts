import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type BlobMeta, type BlobStore, blobIdPattern, type StoredBlob } from '../shared/blob-store';

const metaSchema = z.object({ name: z.string(), mimeType: z.string(), size: z.number().int().nonnegative() });

/**
 * Blobs as files under `DATA_DIR/blobs/<2 hex>/<sha256>`, each beside a `.json` with its name and type. Written to a
 * temporary name, flushed, then renamed: a blob that exists is whole. Several gateway processes share them when they
 * share DATA_DIR (README: Email).
 */
export class BlobFiles implements BlobStore {
  constructor(private readonly dir: string) {}

  private pathOf(id: string): string {
    return path.join(this.dir, id.slice(0, 2), id);
  }

  async put(content: Buffer, meta: BlobMeta): Promise<StoredBlob> {
    const id = createHash('sha256').update(content).digest('hex');
    const file = this.pathOf(id);
    const stored: StoredBlob = { id, name: meta.name, mimeType: meta.mimeType, size: content.length };
    const exists = await stat(file).then(
      (s) => s.size === content.length,
      () => false,
    );
    if (!exists) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeDurably(file, content);
    }
    // The first name a blob was stored under stays: the same bytes sent again under another name are the same file.
    const metaFile = `${file}.json`;
    if (!(await stat(metaFile).catch(() => undefined))) {
      await writeDurably(metaFile, Buffer.from(JSON.stringify({ name: meta.name, mimeType: meta.mimeType, size: content.length })));
    }
    return stored;
  }

  /** The blob's file and what it is, or undefined when there is no such blob. */
  async find(id: string): Promise<{ file: string; name: string; mimeType: string; size: number } | undefined> {
    if (!blobIdPattern.test(id)) return undefined;
    const file = this.pathOf(id);
    const meta = metaSchema.safeParse(await readFile(`${file}.json`, 'utf8').then(JSON.parse, () => undefined));
    if (!meta.success) return undefined;
    return { file, ...meta.data };
  }

  async read(id: string): Promise<(StoredBlob & { content: Buffer }) | undefined> {
    const blob = await this.find(id);
    if (!blob) return undefined;
    const content = await readFile(blob.file).catch(() => undefined);
    if (!content) return undefined;
    return { id, name: blob.name, mimeType: blob.mimeType, size: content.length, content };
  }
}

async function writeDurably(file: string, content: Buffer): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
