// The identity the daemon submits plugins with: a developer certificate
// (role developer, name from the lab state) whose namespaces grow on demand.
// When an upload falls outside them, the certificate is replaced by one that
// also names the new namespace; the PR keys ownership on the holder's name,
// so namespaces claimed earlier stay the lab developer's.
import { readFileSync } from 'node:fs';
import type { LabCa } from '../certs/lab-ca.ts';
import { nodeTransport } from '../spms/client/node-transport.ts';
import type { Transport } from '../spms/client/transport.ts';
import { namespaceCovers } from '../spms/core/index.ts';
import type { LabStore } from './state/lab-state.ts';

export class LabDeveloper {
  constructor(
    private readonly ca: LabCa,
    private readonly store: LabStore,
  ) {}

  get name(): string {
    return this.store.state.labDeveloper.name;
  }

  /** Issues the certificate when the holder has none (or its files are gone). */
  async ensure(extraNamespace?: string): Promise<{ certFile: string; keyFile: string }> {
    const { name, namespaces } = this.store.state.labDeveloper;
    const wanted = extraNamespace === undefined || namespaces.some((ns) => namespaceCovers(ns, `${extraNamespace}.x`)) ? namespaces : [...namespaces, extraNamespace];
    const current = this.ca.current('developer', name);
    const files = this.ca.holderFiles('developer', name);
    const sameNamespaces = current !== undefined && JSON.stringify([...(current.namespaces ?? [])].sort()) === JSON.stringify([...wanted].sort());
    if (current !== undefined && sameNamespaces && readable(files.certFile) && readable(files.keyFile)) return files;
    if (current !== undefined) this.ca.revoke(current.serial, 'superseded');
    const issued = this.ca.issue({ role: 'developer', name, namespaces: wanted });
    await this.store.update((s) => {
      s.labDeveloper.namespaces = wanted;
      s.developers = s.developers.filter((d) => d.name !== name);
      s.developers.push({ name, namespaces: wanted, serial: issued.record.serial, issuedMs: issued.record.issuedMs });
    });
    return { certFile: issued.certFile, keyFile: issued.keyFile };
  }

  /** HTTPS to the lab's nodes as the lab developer, covering `namespace` when given. */
  async transport(namespace?: string): Promise<Transport> {
    const files = await this.ensure(namespace);
    return nodeTransport({ ca: this.ca.rootPem, cert: readFileSync(files.certFile), key: readFileSync(files.keyFile), timeoutMs: 60_000 });
  }
}

function readable(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}
