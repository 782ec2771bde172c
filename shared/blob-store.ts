/**
 * Where channels keep the bytes of what customers send (email attachments, the original mail) and the files managers
 * upload to send with a reply, outside the message documents. Content-addressed: the same bytes stored twice are one blob with one id, so a mail read again never
 * stores its attachments again.
 */
export interface BlobMeta {
  name: string;
  mimeType: string;
}

export interface StoredBlob extends BlobMeta {
  id: string;
  size: number;
}

export interface BlobStore {
  /** Resolves once the bytes are durably stored. */
  put(content: Buffer, meta: BlobMeta): Promise<StoredBlob>;
  /** The blob's bytes and what it is, or undefined when there is no such blob. */
  read(id: string): Promise<(StoredBlob & { content: Buffer }) | undefined>;
}

/** Blob ids are the hex SHA-256 of the bytes. */
export const blobIdPattern = /^[a-f0-9]{64}$/;
