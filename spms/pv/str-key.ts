// The PV's Ed25519 STR key: generated at first start, kept 0600 in the data
// directory, and the same on every restart so the chain stays verifiable.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromHex, generateStrKeyPair, toHex } from '../core/index.ts';

export interface StrKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function loadOrCreateStrKey(file: string): StrKey {
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`STR key file ${file} must hold 64 hex digits`);
    return generateStrKeyPair(fromHex(text));
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = generateStrKeyPair();
  writeFileSync(file, `${toHex(key.secretKey)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
