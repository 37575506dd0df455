// A connection to one libvirt host through the libvirt binding, reduced to
// what the provider does with domains: define and start, find, read back,
// stop and remove. Domains are found by listing rather than by lookup,
// because the binding reports every failure with the same code and a
// missing domain could only be told apart by its message.
import * as libvirt from '@unraid/libvirt';

export class LibvirtConnectionError extends Error {
  readonly code = 'libvirt-failed';
  constructor(
    readonly uri: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(`libvirt (${uri}) could not ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'LibvirtConnectionError';
  }
}

export type DomainRunState = 'running' | 'paused' | 'shutoff' | 'crashed' | 'other';

function runState(state: libvirt.DomainState): DomainRunState {
  switch (state) {
    case libvirt.DomainState.RUNNING:
    case libvirt.DomainState.BLOCKED:
      return 'running';
    case libvirt.DomainState.PAUSED:
      return 'paused';
    case libvirt.DomainState.SHUTOFF:
    case libvirt.DomainState.SHUTDOWN:
      return 'shutoff';
    case libvirt.DomainState.CRASHED:
      return 'crashed';
    default:
      return 'other';
  }
}

export class LibvirtConnection {
  private constructor(
    readonly uri: string,
    private readonly hypervisor: libvirt.Hypervisor,
  ) {}

  static async open(uri: string): Promise<LibvirtConnection> {
    const hypervisor = new libvirt.Hypervisor({ uri });
    try {
      await hypervisor.connectOpen();
    } catch (e) {
      throw new LibvirtConnectionError(uri, 'connect', e);
    }
    return new LibvirtConnection(uri, hypervisor);
  }

  private async call<T>(operation: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw new LibvirtConnectionError(this.uri, operation, e);
    }
  }

  private async find(name: string): Promise<libvirt.Domain | undefined> {
    const all = await this.call('list domains', () => this.hypervisor.connectListAllDomains());
    for (const d of all) if ((await this.call('read a domain name', () => d.getName())) === name) return d;
    return undefined;
  }

  domainNames(): Promise<string[]> {
    return this.call('list domains', async () => Promise.all((await this.hypervisor.connectListAllDomains()).map((d) => d.getName())));
  }

  /** Defines a persistent domain from `xml` and starts it. */
  async defineAndStart(xml: string): Promise<void> {
    const domain = await this.call('define a domain', () => this.hypervisor.domainDefineXML(xml));
    await this.call('start a domain', () => domain.create());
  }

  /** The domain's current XML, or undefined when there is no such domain. */
  async domainXml(name: string): Promise<string | undefined> {
    const d = await this.find(name);
    return d === undefined ? undefined : this.call(`read the XML of ${name}`, () => d.getXMLDesc());
  }

  async domainState(name: string): Promise<DomainRunState | undefined> {
    const d = await this.find(name);
    return d === undefined ? undefined : runState((await this.call(`read the state of ${name}`, () => d.getInfo())).state);
  }

  /** Stops the domain if it runs and removes its definition; answers whether there was one. */
  async destroyAndUndefine(name: string): Promise<boolean> {
    const d = await this.find(name);
    if (d === undefined) return false;
    const state = runState((await this.call(`read the state of ${name}`, () => d.getInfo())).state);
    if (state !== 'shutoff') await this.call(`stop ${name}`, () => d.destroy());
    // A transient domain is gone once stopped.
    if ((await this.find(name)) !== undefined) await this.call(`remove ${name}`, () => d.undefine());
    return true;
  }

  async close(): Promise<void> {
    await this.call('close the connection', () => this.hypervisor.connectClose());
  }
}
