// Typed errors of certs/: a stable `code` for programs, a message for people.

export type CertErrorCode =
  | 'cert-malformed'
  | 'cert-untrusted'
  | 'cert-signature'
  | 'cert-expired'
  | 'cert-not-yet-valid'
  | 'cert-revoked'
  | 'cert-role'
  | 'cert-extension'
  | 'crl-malformed'
  | 'crl-signature'
  | 'crl-expired'
  | 'ca-exists'
  | 'ca-missing'
  | 'ca-passphrase'
  | 'ca-corrupt'
  | 'issue-invalid'
  | 'not-found';

export class CertError extends Error {
  constructor(
    readonly code: CertErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertError';
  }
}
