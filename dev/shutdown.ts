// Ctrl-C / SIGTERM handling shared by `npm start` and the test harness: stop the services in order, then exit.
export function onShutdownSignal(stop: () => Promise<void>, say: (l: string) => void = console.error): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: stopping…`);
    const hardExit = setTimeout(() => process.exit(signal === 'SIGINT' ? 130 : 143), 15_000);
    hardExit.unref();
    stop()
      .catch((err: unknown) => say(`error while stopping: ${(err as Error).message}`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
