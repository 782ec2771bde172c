import { useEffect, useState } from 'react';

/**
 * A screen's code in a file of its own, fetched ahead of need (`preload`) and drawn as soon as it is there. Not
 * React.lazy: a lazy screen that suspends is shown no sooner than 300 ms after its fallback, even when its file
 * arrived long before.
 */
export interface CodeFile<T> {
  preload(): Promise<T>;
  loaded(): T | undefined;
}

export function codeFile<T>(load: () => Promise<T>): CodeFile<T> {
  let loaded: T | undefined;
  let pending: Promise<T> | undefined;
  return {
    preload() {
      pending ??= load().then(
        (value) => {
          loaded = value;
          return value;
        },
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    loaded: () => loaded,
  };
}

const RETRY_MS = 3000;

/** The file's exports once loaded (at once when they already are); a failed fetch is tried again. */
export function useCodeFile<T>(file: CodeFile<T>, wanted = true): T | undefined {
  const [value, setValue] = useState(file.loaded);
  useEffect(() => {
    if (value || !wanted) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = () =>
      file.preload().then(
        (v) => {
          if (!stopped) setValue(() => v);
        },
        () => {
          if (!stopped) timer = setTimeout(attempt, RETRY_MS);
        },
      );
    void attempt();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [file, value, wanted]);
  return value;
}
