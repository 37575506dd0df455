// An error the gateway turns into a JSON response: HTTP status, a stable
// code for programs, and a message that says what to change.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
