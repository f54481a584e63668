// Values built once per process — and, in the worker, once per workflow thread rather than once per workflow run.
//
// The SDK's reusable V8 context gives each workflow run its own module state, so a module the workflow imports is
// evaluated again for every run, and for every replay after a cache eviction. For the zod schemas of the input and the
// vocabulary that was about 10 ms of the workflow thread per run and most of the memory a cached workflow holds. This
// module is preloaded into the shared context (worker/bundle.ts): its map outlives the runs, and a schema module that
// builds its schemas through `builtOnce` gets the first run's objects. Only immutable values belong here (schemas,
// constants); never anything a run changes. Preloaded modules are deep-frozen by the SDK, and zod's schemas cannot be
// (they add members on first use), which is why the schemas live in this map, out of the frozen exports' reach.
// Outside the workflow sandbox this is an ordinary memo: the module system already evaluates a module once.
const built = new Map<string, unknown>();

export function builtOnce<T>(key: string, build: () => T): T {
  if (built.has(key)) return built.get(key) as T;
  const value = build();
  built.set(key, value);
  return value;
}
