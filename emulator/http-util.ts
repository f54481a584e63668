import type { ServerResponse } from 'node:http';

/** Every response carries `x-amz-pay-request-id`, like Amazon's (reference §2.1). */
export function sendBytes(
  res: ServerResponse,
  status: number,
  body: Buffer,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amz-pay-request-id': requestId,
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendBytes(res, status, Buffer.from(JSON.stringify(value)), requestId, headers);
}

/** What the request handlers share besides the emulator's state (the admin API serves the SNS certificate). */
export interface ServerExtras {
  snsCertPem: string;
}
