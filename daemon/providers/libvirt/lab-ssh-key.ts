// The lab's SSH key: one ed25519 key per lab, kept in the lab directory
// (private half 0600, OpenSSH format, which ssh2 reads), whose public half
// reaches every guest on its kernel command line (`spms.ssh=`).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface LabSshKey {
  /** OpenSSH private key. */
  privateKey: string;
  /** One authorized_keys line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
  privateKeyFile: string;
}

export class LabSshKeyError extends Error {
  readonly code = 'ssh-key-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'LabSshKeyError';
  }
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

export function loadOrCreateLabSshKey(dir: string): LabSshKey {
  const privateKeyFile = join(dir, 'id_ed25519');
  const publicKeyFile = `${privateKeyFile}.pub`;
  if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) {
    const privateKey = readFileSync(privateKeyFile, 'utf8');
    const parsed = ssh2.utils.parseKey(privateKey);
    if (parsed instanceof Error) throw new LabSshKeyError(`the lab's SSH key ${privateKeyFile} cannot be read: ${parsed.message}`);
    // Whatever touched the file, the key stays readable by its owner only.
    chmodSync(privateKeyFile, 0o600);
    return { privateKey, publicKey: readFileSync(publicKeyFile, 'utf8').trim(), privateKeyFile };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'spms-lab' });
  writeAtomic(privateKeyFile, pair.private, 0o600);
  writeAtomic(publicKeyFile, `${pair.public}\n`, 0o644);
  return { privateKey: pair.private, publicKey: pair.public, privateKeyFile };
}

/** The kernel command line argument that hands the key to the guest (role-image.ts). */
export function sshKernelArg(publicKey: string): string {
  return `spms.ssh=${Buffer.from(publicKey, 'utf8').toString('base64url')}`;
}
