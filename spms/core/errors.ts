// Typed errors of the protocol core: every refusal has a stable code a caller
// can branch on, and a message a person can act on.

export class SpmsError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SpmsError';
    this.code = code;
  }
}

export class NameError extends SpmsError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'NameError';
  }
}

export class EncodingError extends SpmsError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'EncodingError';
  }
}

export class TreeError extends SpmsError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'TreeError';
  }
}
