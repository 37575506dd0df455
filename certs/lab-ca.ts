// The lab's certificate authority as a directory: root certificate and key
// (0600, optionally passphrase-encrypted), a registry of every certificate
// issued, the current CRL, and each holder's current certificate and key.
// Node only; the CA key never leaves this directory.
//
//   <dir>/ca.crt  ca.key  crl.pem  registry.json
//   <dir>/issued/<role>/<name>.crt, <name>.key    current certificate and key
//   <dir>/issued/serials/<serial>.crt             every certificate ever issued
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { z } from 'zod';
import { bytesToHex } from './binary.ts';
import { CertError } from './cert-error.ts';
import { buildCrl, parseCrl, REVOCATION_REASONS, type ParsedCrl, type RevocationReason } from './crl.ts';
import { CERT_ROLES, type CertRole } from './extensions.ts';
import { createRootCertificate, issueLeafCertificate, type CaKey, type LeafRequest } from './issue.ts';
import { encryptPrivateKeyPem, generateRsaKeyPair, loadPrivateKeyPem } from './keys.ts';
import { parseCertificate } from './parse.ts';

const DAY = 86_400_000;
/** Lifetime of each CRL unless the lab chose another. */
export const DEFAULT_CRL_VALIDITY_DAYS = 90;
/** The CRL is re-signed once less than this share of its lifetime is left. */
const CRL_RENEW_FRACTION = 1 / 3;
const crlValiditySchema = z.number().int().min(1).max(3650);

const recordSchema = z.object({
  serial: z.string().regex(/^[0-9a-f]+$/),
  role: z.enum(CERT_ROLES),
  name: z.string().min(1),
  issuedMs: z.number().int(),
  notAfterMs: z.number().int(),
  fingerprint: z.string(),
  dnsNames: z.array(z.string()),
  ipAddresses: z.array(z.string()),
  namespaces: z.array(z.string()).optional(),
  strPublicKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** The serial this certificate replaced (rotation). */
  supersedes: z.string().optional(),
  revoked: z.object({ revokedMs: z.number().int(), reason: z.enum(Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]]) }).optional(),
});
const registrySchema = z.object({
  version: z.literal(1),
  crlNumber: z.number().int().min(0),
  /** Lifetime of each CRL the CA signs; absent in registries written before it could be chosen. */
  crlValidityDays: crlValiditySchema.optional(),
  certificates: z.array(recordSchema),
});

export type IssuedRecord = z.infer<typeof recordSchema>;
type Registry = z.infer<typeof registrySchema>;

export interface InitOptions {
  commonName?: string;
  /** Encrypts the CA key (PKCS#8, AES-256-CBC); without it the key is stored in clear, still 0600. */
  passphrase?: string;
  validityDays?: number;
  /** RSA size of the root key; 3072 by default. */
  keyBits?: 2048 | 3072 | 4096;
  /** Lifetime of each CRL the CA signs (1 to 3650 days, 90 by default); kept in the registry. */
  crlValidityDays?: number;
}

export interface OpenOptions {
  passphrase?: string;
}

/** The current CRL's dates, and when the CA re-signs it. */
export interface CrlState {
  crlNumber: number;
  thisUpdateMs: number;
  nextUpdateMs: number;
  validityDays: number;
  /** From then on `refreshCrl` signs a new one. */
  renewAfterMs: number;
}

export interface Issued {
  record: IssuedRecord;
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export class LabCa {
  readonly rootPem: string;
  private key: CaKey | undefined;

  private constructor(
    readonly dir: string,
    private readonly opts: OpenOptions,
  ) {
    try {
      this.rootPem = readFileSync(this.paths.cert, 'utf8');
    } catch {
      throw new CertError('ca-missing', `no lab CA in ${dir} (run "spms ca init" first)`);
    }
  }

  get paths(): { cert: string; key: string; crl: string; registry: string } {
    return { cert: join(this.dir, 'ca.crt'), key: join(this.dir, 'ca.key'), crl: join(this.dir, 'crl.pem'), registry: join(this.dir, 'registry.json') };
  }

  /** Creates the root CA, its registry and an empty CRL; refuses to overwrite an existing CA. */
  static init(dir: string, opts: InitOptions & OpenOptions = {}): LabCa {
    if (existsSync(join(dir, 'ca.crt')) || existsSync(join(dir, 'ca.key'))) throw new CertError('ca-exists', `a lab CA already exists in ${dir}; it is never overwritten`);
    const crlValidityDays = checkedCrlValidity(opts.crlValidityDays ?? DEFAULT_CRL_VALIDITY_DAYS);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = generateRsaKeyPair(opts.keyBits ?? 3072);
    const certPem = createRootCertificate(key, { commonName: opts.commonName ?? 'SPMS Lab Root CA', validityDays: opts.validityDays ?? 3650 });
    const keyPem = opts.passphrase === undefined || opts.passphrase === '' ? key.privatePem : encryptPrivateKeyPem(key.privatePem, opts.passphrase);
    writeAtomic(join(dir, 'ca.key'), keyPem, 0o600);
    writeAtomic(join(dir, 'registry.json'), `${JSON.stringify({ version: 1, crlNumber: 0, crlValidityDays, certificates: [] } satisfies Registry, null, 2)}\n`, 0o644);
    writeAtomic(join(dir, 'ca.crt'), certPem, 0o644);
    const ca = new LabCa(dir, opts);
    ca.key = { cert: forge.pki.certificateFromPem(certPem), key: key.privateKey };
    ca.writeCrl();
    return ca;
  }

  static open(dir: string, opts: OpenOptions = {}): LabCa {
    return new LabCa(dir, opts);
  }

  private caKey(): CaKey {
    if (this.key === undefined) {
      let pem: string;
      try {
        pem = readFileSync(this.paths.key, 'utf8');
      } catch {
        throw new CertError('ca-missing', `the CA key ${this.paths.key} cannot be read`);
      }
      this.key = { cert: forge.pki.certificateFromPem(this.rootPem), key: loadPrivateKeyPem(pem, this.opts.passphrase).privateKey };
    }
    return this.key;
  }

  private registry(): Registry {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.paths.registry, 'utf8'));
    } catch (e) {
      throw new CertError('ca-corrupt', `the registry ${this.paths.registry} cannot be read: ${(e as Error).message}`);
    }
    const parsed = registrySchema.safeParse(raw);
    if (!parsed.success) throw new CertError('ca-corrupt', `the registry ${this.paths.registry} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }

  private save(reg: Registry): void {
    writeAtomic(this.paths.registry, `${JSON.stringify(reg, null, 2)}\n`, 0o644);
  }

  list(): IssuedRecord[] {
    return this.registry().certificates;
  }

  /** The holder's current (newest, unrevoked) certificate record. */
  current(role: CertRole, name: string): IssuedRecord | undefined {
    return this.list()
      .filter((r) => r.role === role && r.name === name && r.revoked === undefined)
      .sort((a, b) => b.issuedMs - a.issuedMs)[0];
  }

  holderFiles(role: CertRole, name: string): { certFile: string; keyFile: string } {
    const dir = join(this.dir, 'issued', role);
    return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  }

  /** Issues a certificate and key for a new holder; an existing holder is rotated, not re-issued. */
  issue(req: LeafRequest): Issued {
    if (this.current(req.role, req.name) !== undefined) throw new CertError('issue-invalid', `${req.role} "${req.name}" already has a valid certificate: rotate or revoke it`);
    return this.write(req, undefined);
  }

  /**
   * Reissues a holder's certificate with a new key and serial and the same
   * identity: role, name, namespaces, STR key and addresses. The old
   * certificate stays valid unless `revokeOld` (reason superseded), so nodes
   * can switch over without downtime.
   */
  rotate(role: CertRole, name: string, opts: { revokeOld?: boolean; validityDays?: number } = {}): Issued {
    const old = this.current(role, name);
    if (old === undefined) throw new CertError('not-found', `${role} "${name}" has no valid certificate to rotate`);
    const issued = this.write(
      {
        role,
        name,
        dnsNames: old.dnsNames,
        ipAddresses: old.ipAddresses,
        ...(old.namespaces === undefined ? {} : { namespaces: old.namespaces }),
        ...(old.strPublicKey === undefined ? {} : { strPublicKey: Uint8Array.from(Buffer.from(old.strPublicKey, 'hex')) }),
        ...(opts.validityDays === undefined ? {} : { validityDays: opts.validityDays }),
      },
      old.serial,
    );
    if (opts.revokeOld === true) this.revoke(old.serial, 'superseded');
    return issued;
  }

  private write(req: LeafRequest, supersedes: string | undefined): Issued {
    const ca = this.caKey();
    const key = generateRsaKeyPair(2048);
    const { pem, serial } = issueLeafCertificate(ca, key.publicKey, req);
    const parsed = parseCertificate(pem);
    const record: IssuedRecord = {
      serial,
      role: req.role,
      name: req.name,
      issuedMs: Date.now(),
      notAfterMs: parsed.notAfter.getTime(),
      fingerprint: parsed.fingerprint,
      dnsNames: parsed.dnsNames,
      ipAddresses: parsed.ipAddresses,
      ...(parsed.namespaces === undefined ? {} : { namespaces: parsed.namespaces }),
      ...(parsed.strPublicKey === undefined ? {} : { strPublicKey: bytesToHex(parsed.strPublicKey) }),
      ...(supersedes === undefined ? {} : { supersedes }),
    };
    const { certFile, keyFile } = this.holderFiles(req.role, req.name);
    mkdirSync(join(this.dir, 'issued', req.role), { recursive: true, mode: 0o700 });
    mkdirSync(join(this.dir, 'issued', 'serials'), { recursive: true, mode: 0o700 });
    writeAtomic(join(this.dir, 'issued', 'serials', `${serial}.crt`), pem, 0o644);
    // The registry is written last: a crash before it leaves files no record points to, never a record without its files.
    writeAtomic(keyFile, key.privatePem, 0o600);
    writeAtomic(certFile, pem, 0o644);
    const reg = this.registry();
    reg.certificates.push(record);
    this.save(reg);
    return { record, certPem: pem, keyPem: key.privatePem, certFile, keyFile };
  }

  /** Revokes by serial, or by "role/name" (the holder's current certificate), and publishes a new CRL. */
  revoke(target: string, reason: RevocationReason = 'unspecified'): IssuedRecord {
    const reg = this.registry();
    const slash = target.indexOf('/');
    const record =
      slash > 0
        ? reg.certificates.filter((r) => r.role === target.slice(0, slash) && r.name === target.slice(slash + 1) && r.revoked === undefined).sort((a, b) => b.issuedMs - a.issuedMs)[0]
        : reg.certificates.find((r) => r.serial === target.toLowerCase().replace(/^(00)+(?=.)/, ''));
    if (record === undefined) throw new CertError('not-found', `no ${slash > 0 ? 'valid certificate for' : 'certificate with serial'} ${target}`);
    if (record.revoked !== undefined) throw new CertError('issue-invalid', `certificate ${record.serial} is already revoked`);
    record.revoked = { revokedMs: Date.now(), reason };
    this.save(reg);
    this.writeCrl();
    return record;
  }

  /** Signs and writes a fresh CRL (new number, new dates) listing every revoked certificate. */
  writeCrl(now = Date.now()): string {
    const reg = this.registry();
    reg.crlNumber += 1;
    const ca = this.caKey();
    const pem = buildCrl({
      caCert: ca.cert,
      caKey: ca.key,
      entries: reg.certificates.flatMap((r) => (r.revoked === undefined ? [] : [{ serial: r.serial, revokedMs: r.revoked.revokedMs, reason: r.revoked.reason }])),
      thisUpdateMs: now,
      nextUpdateMs: now + (reg.crlValidityDays ?? DEFAULT_CRL_VALIDITY_DAYS) * DAY,
      crlNumber: reg.crlNumber,
    });
    writeAtomic(this.paths.crl, pem, 0o644);
    this.save(reg);
    return pem;
  }

  crlPem(): string {
    return readFileSync(this.paths.crl, 'utf8');
  }

  /** Lifetime of each CRL the CA signs. */
  get crlValidityDays(): number {
    return this.registry().crlValidityDays ?? DEFAULT_CRL_VALIDITY_DAYS;
  }

  /** Changes the lifetime of the CRLs, kept in the registry, and signs a CRL with it right away. */
  setCrlValidityDays(days: number): string {
    const reg = this.registry();
    reg.crlValidityDays = checkedCrlValidity(days);
    this.save(reg);
    return this.writeCrl();
  }

  /** The current CRL's dates; a CRL that cannot be read is `crl-malformed`. */
  crlState(): CrlState {
    let crl: ParsedCrl;
    try {
      crl = parseCrl(this.crlPem());
    } catch (e) {
      if (e instanceof CertError) throw e;
      throw new CertError('crl-malformed', `the CRL ${this.paths.crl} cannot be read`);
    }
    const thisUpdateMs = crl.thisUpdate.getTime();
    const nextUpdateMs = crl.nextUpdate?.getTime() ?? thisUpdateMs;
    const validityDays = this.crlValidityDays;
    // Measured against the lifetime chosen now, so a shortened lifetime takes effect at the next check.
    const renewAfterMs = Math.min(nextUpdateMs, thisUpdateMs + validityDays * DAY) - validityDays * DAY * CRL_RENEW_FRACTION;
    return { crlNumber: crl.crlNumber ?? 0, thisUpdateMs, nextUpdateMs, validityDays, renewAfterMs };
  }

  /**
   * Re-signs the CRL when less than a third of its lifetime is left (or it is
   * missing or damaged), so that nodes reading it never hold an expired one.
   * Returns the new CRL's state, or undefined when the current one was kept.
   */
  refreshCrl(nowMs = Date.now()): CrlState | undefined {
    let state: CrlState | undefined;
    try {
      state = this.crlState();
    } catch (e) {
      if (!(e instanceof CertError)) throw e;
    }
    if (state !== undefined && nowMs < state.renewAfterMs) return undefined;
    this.writeCrl(nowMs);
    return this.crlState();
  }
}

function checkedCrlValidity(days: number): number {
  if (!crlValiditySchema.safeParse(days).success) throw new CertError('issue-invalid', `the CRL lifetime must be a whole number of days from 1 to 3650, not ${String(days)}`);
  return days;
}
