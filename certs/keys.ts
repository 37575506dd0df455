// RSA keys for the CA and its leaves. forge's own key generation is far too
// slow, so keys come from node:crypto and are handed to forge as PKCS#8.
// Node only.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { CertError } from './cert-error.ts';

export interface RsaKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  /** Unencrypted PKCS#8 PEM. */
  privatePem: string;
}

export function generateRsaKeyPair(bits: 2048 | 3072 | 4096): RsaKeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return fromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

function fromPem(privatePem: string): RsaKeyPair {
  const privateKey = forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey;
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e), privatePem };
}

/** PKCS#8 encrypted with PBES2 and AES-256-CBC, which openssl and Node both read. */
export function encryptPrivateKeyPem(privatePem: string, passphrase: string): string {
  return createPrivateKey(privatePem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

/** Loads a PKCS#8 key, encrypted or not; a missing or wrong passphrase is a clear error. */
export function loadPrivateKeyPem(pem: string, passphrase?: string): RsaKeyPair {
  const encrypted = pem.includes('ENCRYPTED PRIVATE KEY');
  if (encrypted && (passphrase === undefined || passphrase === '')) throw new CertError('ca-passphrase', 'the CA key is encrypted: a passphrase is needed (SPMS_CA_PASSPHRASE or --passphrase-file)');
  let key;
  try {
    key = createPrivateKey(encrypted ? { key: pem, passphrase: passphrase! } : pem);
  } catch (e) {
    if (encrypted) throw new CertError('ca-passphrase', 'the passphrase does not decrypt the CA key');
    throw new CertError('ca-corrupt', `the CA key cannot be read: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new CertError('ca-corrupt', `the CA key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA`);
  return fromPem(key.export({ type: 'pkcs8', format: 'pem' }) as string);
}
