// spms ca init|issue|revoke|list|crl — the lab's certificate authority.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CERT_ROLES, isCertRole } from '../../certs/extensions.ts';
import { isRevocationReason, REVOCATION_REASONS } from '../../certs/crl.ts';
import { LabCa, type OpenOptions } from '../../certs/lab-ca.ts';
import { EXIT, optionalInt, parse, runCommand, UsageError } from '../lib/cli.ts';

export const summary = 'lab certificate authority: init, issue, revoke, list, crl';

const USAGE = `usage: spms ca <init|issue|revoke|list|crl> [options]

  spms ca init [--cn NAME] [--days N] [--crl-days N]
      Creates the root CA (RSA 3072, SHA-256, 10 years) and an empty CRL.
      --crl-days sets the lifetime of every CRL it signs (1 to 3650 days,
      default 90); the CA keeps it.
  spms ca issue <pr|pv|developer|daemon> <name> [--dns NAME]... [--ip ADDR]...
                [--namespace NS]... [--str-key HEX | --str-secret-file FILE]
                [--days N] [--rotate [--revoke-old]]
      Issues a certificate and key for a holder (PR and PV default to
      localhost / 127.0.0.1). A PV needs its Ed25519 STR public key, given as
      hex or derived from the PV's STR key file (the secret is not stored);
      a developer needs at least one namespace. --rotate reissues a holder's
      certificate with a new key and the same identity.
  spms ca revoke <serial | role/name> [--reason REASON]
      Revokes a certificate and publishes a new CRL. Reasons: ${Object.keys(REVOCATION_REASONS).join(', ')}.
  spms ca list [--json]
  spms ca crl [--crl-days N]
      Publishes a fresh CRL; --crl-days first changes the lifetime of this
      and every later CRL. The lab daemon re-signs the CRL by itself when less
      than a third of its lifetime is left.

options:
  --dir DIR               lab directory (default: $SPMS_LAB_DIR); the CA is DIR/ca
  --passphrase-file FILE  passphrase of the CA key (or $SPMS_CA_PASSPHRASE);
                          at init, encrypts the key with it

exit codes: 0 done, 1 refused (CA missing or exists, invalid request, wrong passphrase), 2 usage`;

const OPTIONS = {
  dir: { type: 'string' },
  'passphrase-file': { type: 'string' },
  cn: { type: 'string' },
  days: { type: 'string' },
  'crl-days': { type: 'string' },
  dns: { type: 'string', multiple: true },
  ip: { type: 'string', multiple: true },
  namespace: { type: 'string', multiple: true },
  'str-key': { type: 'string' },
  'str-secret-file': { type: 'string' },
  rotate: { type: 'boolean' },
  'revoke-old': { type: 'boolean' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function caDir(values: Record<string, unknown>): string {
  const lab = typeof values.dir === 'string' ? values.dir : process.env.SPMS_LAB_DIR;
  if (lab === undefined || lab === '') throw new UsageError(`--dir or SPMS_LAB_DIR is required\n\n${USAGE}`);
  return resolve(lab, 'ca');
}

function passphrase(values: Record<string, unknown>): string | undefined {
  if (typeof values['passphrase-file'] === 'string') return readFileSync(values['passphrase-file'], 'utf8').replace(/\r?\n$/, '');
  const env = process.env.SPMS_CA_PASSPHRASE;
  return env === undefined || env === '' ? undefined : env;
}

function strPublicKey(values: Record<string, unknown>): Uint8Array | undefined {
  const hex = values['str-key'];
  const file = values['str-secret-file'];
  if (hex !== undefined && file !== undefined) throw new UsageError('give --str-key or --str-secret-file, not both');
  if (typeof hex === 'string') {
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new UsageError('--str-key must be 64 lowercase hex digits (the Ed25519 public key)');
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  if (typeof file === 'string') {
    const seed = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(seed)) throw new UsageError(`${file} must hold the PV's STR key as 64 hex digits`);
    return ed25519.getPublicKey(Uint8Array.from(Buffer.from(seed, 'hex')));
  }
  return undefined;
}

export async function run(args: string[]): Promise<number> {
  return runCommand('ca', async () => {
    const { values, positionals } = parse(args, OPTIONS, USAGE);
    if (values.help === true) return EXIT.ok;
    const [action, ...rest] = positionals;
    const opts: OpenOptions = {};
    const pass = passphrase(values);
    if (pass !== undefined) opts.passphrase = pass;
    const days = optionalInt(values, 'days');
    const crlDays = optionalInt(values, 'crl-days');
    if (crlDays !== undefined && action !== 'init' && action !== 'crl') throw new UsageError(`--crl-days goes with init or crl\n\n${USAGE}`);
    switch (action) {
      case 'init': {
        if (rest.length > 0) throw new UsageError(`init takes no arguments\n\n${USAGE}`);
        const dir = caDir(values);
        const ca = LabCa.init(dir, {
          ...opts,
          ...(typeof values.cn === 'string' ? { commonName: values.cn } : {}),
          ...(days === undefined ? {} : { validityDays: days }),
          ...(crlDays === undefined ? {} : { crlValidityDays: crlDays }),
        });
        console.log(JSON.stringify({ dir, certificate: ca.paths.cert, key: ca.paths.key, crl: ca.paths.crl, crlValidityDays: ca.crlValidityDays, encrypted: pass !== undefined }, null, 2));
        return EXIT.ok;
      }
      case 'issue': {
        const [role, name, ...extra] = rest;
        if (!isCertRole(role) || name === undefined || extra.length > 0) throw new UsageError(`issue needs <${CERT_ROLES.join('|')}> <name>\n\n${USAGE}`);
        const ca = LabCa.open(caDir(values), opts);
        const issued =
          values.rotate === true
            ? ca.rotate(role, name, { revokeOld: values['revoke-old'] === true, ...(days === undefined ? {} : { validityDays: days }) })
            : ca.issue({
                role,
                name,
                ...(values.dns === undefined ? {} : { dnsNames: values.dns as string[] }),
                ...(values.ip === undefined ? {} : { ipAddresses: values.ip as string[] }),
                ...(values.namespace === undefined ? {} : { namespaces: values.namespace as string[] }),
                ...(role === 'pv' || values['str-key'] !== undefined || values['str-secret-file'] !== undefined ? { strPublicKey: strPublicKey(values) } : {}),
                ...(days === undefined ? {} : { validityDays: days }),
              });
        console.log(JSON.stringify({ ...issued.record, notAfter: new Date(issued.record.notAfterMs).toISOString(), certFile: issued.certFile, keyFile: issued.keyFile }, null, 2));
        return EXIT.ok;
      }
      case 'revoke': {
        const [target, ...extra] = rest;
        if (target === undefined || extra.length > 0) throw new UsageError(`revoke needs <serial | role/name>\n\n${USAGE}`);
        const reason = values.reason ?? 'unspecified';
        if (!isRevocationReason(reason)) throw new UsageError(`--reason must be one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
        const record = LabCa.open(caDir(values), opts).revoke(target, reason);
        console.log(JSON.stringify(record, null, 2));
        return EXIT.ok;
      }
      case 'list': {
        const records = LabCa.open(caDir(values), opts).list();
        if (values.json === true) {
          console.log(JSON.stringify(records, null, 2));
        } else {
          for (const r of records) {
            const state = r.revoked !== undefined ? `revoked (${r.revoked.reason})` : r.notAfterMs < Date.now() ? 'expired' : 'valid';
            const extra = r.namespaces !== undefined ? ` namespaces=${r.namespaces.join(',')}` : r.strPublicKey !== undefined ? ` strKey=${r.strPublicKey.slice(0, 16)}…` : '';
            console.log(`${r.serial}  ${r.role.padEnd(9)} ${r.name.padEnd(16)} until ${new Date(r.notAfterMs).toISOString().slice(0, 10)}  ${state}${extra}`);
          }
        }
        return EXIT.ok;
      }
      case 'crl': {
        if (rest.length > 0) throw new UsageError(`crl takes no arguments\n\n${USAGE}`);
        const ca = LabCa.open(caDir(values), opts);
        if (crlDays === undefined) ca.writeCrl();
        else ca.setCrlValidityDays(crlDays);
        const state = ca.crlState();
        console.log(
          JSON.stringify(
            {
              crl: ca.paths.crl,
              crlNumber: state.crlNumber,
              thisUpdate: new Date(state.thisUpdateMs).toISOString(),
              nextUpdate: new Date(state.nextUpdateMs).toISOString(),
              crlValidityDays: state.validityDays,
            },
            null,
            2,
          ),
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(`${action === undefined ? 'an action is required' : `unknown action "${action}"`}\n\n${USAGE}`);
    }
  });
}
