// Typed errors of the verifier library. Analysis problems in a pluglet are
// never thrown (they become findings); these errors are for callers that hand
// over unusable input (a manifest that does not parse, a missing compiler, bad
// options), each with a stable code a caller can branch on.

export class VerifierError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'VerifierError';
    this.code = code;
  }
}

export class ManifestError extends VerifierError {
  /** 1-based line of the manifest the error is about. */
  readonly line: number;
  constructor(code: string, line: number, message: string) {
    super(code, `line ${line}: ${message}`);
    this.name = 'ManifestError';
    this.line = line;
  }
}

export class CompileError extends VerifierError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'CompileError';
  }
}
