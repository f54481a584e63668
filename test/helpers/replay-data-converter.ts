// The data converter replay tests use: the worker's (client/temporal/data-converter.ts) with the fixed test keys.
// Fixtures written before the codec existed are plaintext and pass through; encrypted ones decrypt with key A or B.
import type { DataConverter } from '@temporalio/common';
import { createDataConverter } from '../../client/temporal/data-converter';
import { testCodecKeys } from './codec-keys';

export function replayDataConverter(): DataConverter {
  return createDataConverter(testCodecKeys());
}
