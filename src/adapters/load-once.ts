/**
 * `load` run once, on the first call, for adapters whose client library is too heavy to import at
 * start-up. Concurrent first calls share one load; a load that fails is tried again by the next
 * call (a fixed kubeconfig or a network blip must not need a restart). A caller's signal ends its
 * own wait with the signal's reason, without cancelling the load the other callers share.
 */
export function loadOnce<T>(load: () => Promise<T>): (signal?: AbortSignal) => Promise<T> {
  let loading: Promise<T> | undefined;
  return (signal) => {
    signal?.throwIfAborted();
    if (!loading) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return signal ? untilAborted(loading, signal) : loading;
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
