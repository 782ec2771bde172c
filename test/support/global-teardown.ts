import type { EmbeddedStore } from '../../gateway/embedded-store';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __testStore?: EmbeddedStore }).__testStore?.stop();
}
