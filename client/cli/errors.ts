// What a command's failure means to the operator: the exit codes and the expected-failure error.
export const EXIT = { ok: 0, failure: 1, usage: 2, conflict: 3, unknown: 4 } as const;

/** An expected failure: its message is for the operator and it ends the command with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

