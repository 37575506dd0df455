// Who is on the other end of a TLS connection: the client certificate,
// checked against the lab root CA and its current CRL (re-read whenever the
// file changes, so a revocation takes effect without a restart), and the
// role the route requires. Shared by the HTTPS gateway and the MQTT broker.
// The signatures (certificate, root, CRL) are checked once per certificate
// and CRL version, not on every request: done in JavaScript they cost
// milliseconds of the event loop each, which every other request waits for.
import { readFileSync, statSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { CertError } from '../../certs/cert-error.ts';
import { checkCrl, checkRoot, verifyCertificate } from '../../certs/verify.ts';
import { parseCrl, type ParsedCrl } from '../../certs/crl.ts';
import type { CertRole } from '../../certs/extensions.ts';
import { parseCertificate, type ParsedCertificate } from '../../certs/parse.ts';

/** Certificates remembered as verified; the oldest is forgotten first. */
const VERIFIED_MAX = 1024;

const derKey = (cert: ParsedCertificate): string => Buffer.from(cert.der).toString('base64');

export class ClientAuth {
  private readonly root: ParsedCertificate;
  private crlCache: { mtimeMs: number; size: number; crl: ParsedCrl } | undefined;
  private readonly parsed = new WeakMap<TLSSocket, ParsedCertificate>();
  /** Certificates (by their DER, as each connection parses its own) that passed every check against this CRL, and until when their dates and the CRL's allow it. */
  private readonly verified = new Map<string, { crl: ParsedCrl | undefined; untilMs: number }>();

  constructor(
    readonly rootPem: string,
    private readonly crlFile?: string,
  ) {
    this.root = checkRoot(rootPem);
  }

  static fromFiles(caFile: string, crlFile?: string): ClientAuth {
    return new ClientAuth(readFileSync(caFile, 'utf8'), crlFile);
  }

  /** The current CRL; a CRL that is missing, damaged or not the CA's fails closed. */
  private crl(): ParsedCrl | undefined {
    if (this.crlFile === undefined) return undefined;
    let st;
    try {
      st = statSync(this.crlFile);
    } catch {
      throw new CertError('crl-malformed', `the CRL file ${this.crlFile} cannot be read`);
    }
    if (this.crlCache === undefined || this.crlCache.mtimeMs !== st.mtimeMs || this.crlCache.size !== st.size) {
      const crl = checkCrl(parseCrl(readFileSync(this.crlFile, 'utf8')), this.root);
      this.crlCache = { mtimeMs: st.mtimeMs, size: st.size, crl };
    }
    return this.crlCache.crl;
  }

  /** Verifies a certificate (DER or PEM) for one of `roles`; throws a CertError saying why not. */
  verify(cert: Uint8Array | string | ParsedCertificate, roles: readonly CertRole[]): ParsedCertificate {
    const crl = this.crl();
    const now = Date.now();
    if (typeof cert === 'object' && !(cert instanceof Uint8Array)) {
      // The same certificate against the same CRL: only what depends on the time and the route is left to check.
      const known = this.verified.get(derKey(cert));
      if (known !== undefined && known.crl === crl && now >= cert.notBefore.getTime() && now <= known.untilMs && cert.role !== undefined && roles.includes(cert.role)) return cert;
    }
    const verified = verifyCertificate(cert, { root: this.root, roles, nowMs: now, ...(crl === undefined ? {} : { crl }) });
    const untilMs = Math.min(verified.notAfter.getTime(), this.root.notAfter.getTime(), crl?.nextUpdate?.getTime() ?? Infinity);
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(derKey(verified), { crl, untilMs });
    return verified;
  }

  /** The verified peer of a TLS socket; the parse is cached per connection, the signature checks per certificate. */
  verifySocket(socket: TLSSocket, roles: readonly CertRole[]): ParsedCertificate {
    let cert = this.parsed.get(socket);
    if (cert === undefined) {
      const x509 = socket.getPeerX509Certificate();
      if (x509 === undefined) throw new CertError('cert-untrusted', 'no client certificate was presented');
      cert = parseCertificate(new Uint8Array(x509.raw));
      this.parsed.set(socket, cert);
    }
    return this.verify(cert, roles);
  }
}
