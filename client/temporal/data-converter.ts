// The one data converter: worker, HTTP server, CLI, tests and replay all take it from here, so a payload written by
// one process is readable by every other (DESIGN.md "Security").
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, requireCodecKeysInProduction, type CodecKeys } from './codec';

/** With keys, every payload is encrypted with the current key; without (local development only), payloads are plain. */
export function createDataConverter(keys: CodecKeys | undefined): DataConverter {
  return { payloadCodecs: keys ? [new AesGcmCodec(keys)] : [] };
}

/** Reads PAYLOAD_CODEC_KEYS / PAYLOAD_CODEC_KEYS_FILE / PAYLOAD_CODEC_CURRENT_KEY_ID; refuses plaintext in production. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env, processName = 'worker'): DataConverter {
  return createDataConverter(requireCodecKeysInProduction(env, processName));
}
