// The data converter replay tests use: the same one as the worker (client/temporal/data-converter.ts) once the
// payload codec exists, with the test keys the fixtures were written under.
import type { DataConverter } from '@temporalio/common';

export function replayDataConverter(): DataConverter {
  return {};
}
