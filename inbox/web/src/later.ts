/** Runs `run` once the page has nothing else to do (within `timeout` ms at the latest); returns how to call it off. */
export function whenIdle(run: () => void, timeout = 5000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const idle = requestIdleCallback(run, { timeout });
    return () => cancelIdleCallback(idle);
  }
  const timer = setTimeout(run, Math.min(timeout, 1000));
  return () => clearTimeout(timer);
}

/**
 * Runs `run` once, before the next frame is drawn, or after `fallbackMs` when no frame comes (a hidden tab draws
 * none, and its title must still count what arrived); returns how to call it off.
 */
export function nextFrame(run: () => void, fallbackMs = 250): () => void {
  let done = false;
  const frame = requestAnimationFrame(() => once());
  const timer = setTimeout(() => once(), fallbackMs);
  const stop = () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
  function once() {
    if (done) return;
    stop();
    run();
  }
  return stop;
}
