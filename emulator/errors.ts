/** An Amazon-style error answer: `{"reasonCode","message"}` with its HTTP status (reference §6). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reasonCode: string,
    message: string,
    /** True when the request changed state before failing (a decline cancels the session): stored for idempotency. */
    readonly effect = false,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { reasonCode: string; message: string } {
    return { reasonCode: this.reasonCode, message: this.message };
  }
}

export const notFound = (what: string, id: string): ApiError =>
  new ApiError(404, 'ResourceNotFound', `${what} ${id} was not found.`);

export const invalidParameter = (name: string, why = 'is invalid'): ApiError =>
  new ApiError(400, 'InvalidParameterValue', `The value provided for ${name} ${why}.`);

export const missingParameter = (name: string): ApiError =>
  new ApiError(400, 'MissingParameterValue', `The request is missing the required parameter ${name}.`);
