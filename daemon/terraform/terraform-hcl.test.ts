// terraform/ checked without Terraform: every file parses as HCL, every
// variable it references is declared, the export writes exactly the root
// variables with values of their declared types, the module calls match the
// module, the host slots match MAX_HOSTS, and the domain stylesheet turns the
// provider's domain XML into XML libvirt's schema accepts.
import { parse } from '@cdktf/hcl2json';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../on-path.ts';
import { userNetdevArgs } from '../providers/libvirt/domain-xml.ts';
import { parseLibvirtSettings } from '../providers/libvirt/libvirt-settings.ts';
import { defaultTopology } from '../state/topology.ts';
import { MAX_HOSTS, terraformVars, type TerraformNode, type TerraformVars } from './terraform-vars.ts';

const ROOT = resolve(import.meta.dirname, '../../terraform');
const MODULE = join(ROOT, 'modules/lab-host');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHn3cRQ9tq0ZGh1v0x3eYbMNbz1fhb3+T1r2wq9V0p3K spms-lab';

// hcl2json's shape: block kind, then its labels, then a list of bodies.
type Hcl = Record<string, Record<string, unknown>>;
type Block = Record<string, unknown>;

function tfFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tfFiles(join(dir, e.name)) : e.name.endsWith('.tf') ? [join(dir, e.name)] : []));
}

/** Blocks of several files together: lists of bodies concatenated, labels merged. */
function mergeBlocks(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...(a as unknown[]), ...(b as unknown[])];
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeBlocks(out[k], v) : v;
    return out;
  }
  return b;
}

/** A directory's files parsed and merged the way Terraform reads a module. */
async function moduleHcl(dir: string): Promise<Hcl> {
  let merged: unknown = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) merged = mergeBlocks(merged, await parse(file, readFileSync(join(dir, file), 'utf8')));
  return merged as Hcl;
}

/** The bodies of `kind` blocks with one label, by label. */
function blocks(hcl: Hcl, kind: string): Record<string, Block[]> {
  return (hcl[kind] ?? {}) as Record<string, Block[]>;
}

// Terraform's type constraints, as far as the variables here use them.
type TfType = { kind: 'string' | 'number' | 'bool' | 'any' } | { kind: 'list' | 'set' | 'map'; of: TfType } | { kind: 'object'; fields: Record<string, TfType> };

function parseType(text: string): TfType {
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|[(){}=,]/g) ?? [];
  let at = 0;
  const next = (): string => tokens[at++] ?? '';
  const expect_ = (t: string): void => {
    const got = next();
    if (got !== t) throw new Error(`type ${text}: expected "${t}", got "${got}"`);
  };
  const one = (): TfType => {
    const name = next();
    if (name === 'string' || name === 'number' || name === 'bool' || name === 'any') return { kind: name };
    if (name === 'list' || name === 'set' || name === 'map') {
      expect_('(');
      const of = one();
      expect_(')');
      return { kind: name, of };
    }
    if (name === 'object') {
      expect_('(');
      expect_('{');
      const fields: Record<string, TfType> = {};
      while (tokens[at] !== '}') {
        const field = next();
        expect_('=');
        fields[field] = one();
        if (tokens[at] === ',') at++;
      }
      expect_('}');
      expect_(')');
      return { kind: 'object', fields };
    }
    throw new Error(`type ${text}: unsupported "${name}"`);
  };
  const t = one();
  if (at !== tokens.length) throw new Error(`type ${text}: trailing tokens`);
  return t;
}

/** Where `value` breaks `type` (paths like nodes.PR.host_forwards[0].host_port); empty when it fits. */
function typeErrors(value: unknown, type: TfType, path: string): string[] {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (type.kind) {
    case 'any':
      return [];
    case 'string':
    case 'number':
    case 'bool':
      return typeof value === (type.kind === 'bool' ? 'boolean' : type.kind) ? [] : [`${path}: not a ${type.kind}`];
    case 'list':
    case 'set':
      return Array.isArray(value) ? value.flatMap((v, i) => typeErrors(v, type.of, `${path}[${i}]`)) : [`${path}: not a list`];
    case 'map':
      return isObject ? Object.entries(value).flatMap(([k, v]) => typeErrors(v, type.of, `${path}.${k}`)) : [`${path}: not a map`];
    case 'object': {
      if (!isObject) return [`${path}: not an object`];
      const keys = Object.keys(value);
      return [
        ...Object.keys(type.fields)
          .filter((k) => !keys.includes(k))
          .map((k) => `${path}.${k}: missing`),
        ...keys.filter((k) => type.fields[k] === undefined).map((k) => `${path}.${k}: not declared`),
        ...Object.entries(type.fields).flatMap(([k, t]) => (k in value ? typeErrors((value as Record<string, unknown>)[k], t, `${path}.${k}`) : [])),
      ];
    }
  }
}

const stripInterpolation = (s: unknown): string => String(s).replace(/^\$\{([\s\S]*)\}$/, '$1');

/** Every name X of a `var.X` anywhere in a parsed module. */
function varRefs(hcl: Hcl): Set<string> {
  return new Set([...JSON.stringify(hcl).matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1] ?? ''));
}

function declared(hcl: Hcl): Map<string, Block> {
  return new Map(Object.entries(blocks(hcl, 'variable')).map(([name, bodies]) => [name, bodies[0] ?? {}]));
}

let root: Hcl;
let mod: Hcl;

/** The xslt argument of the module's libvirt_domain, as written in main.tf. */
function domainXslt(): string {
  const domain = (blocks(mod, 'resource').libvirt_domain as unknown as Record<string, Block[]>).node?.[0];
  return String((domain?.xml as Block[] | undefined)?.[0]?.xslt);
}

beforeAll(async () => {
  root = await moduleHcl(ROOT);
  mod = await moduleHcl(MODULE);
});

const multiHost = (): TerraformVars => {
  const t = defaultTopology();
  t.pvs[0]!.vm = { host: 'qemu+ssh://lab2/system', vcpus: 4 };
  t.pvs[1]!.vm = { host: 'qemu+ssh://lab3/system', memoryMiB: 1024 };
  return terraformVars({ topology: t, settings: parseLibvirtSettings({}), labDir: '/labs/a', sshPublicKey: KEY, localHost: 'ws1' }).tfvars;
};
const defaultLab = (): TerraformVars => terraformVars({ topology: defaultTopology(), settings: parseLibvirtSettings({}), labDir: '/labs/a', sshPublicKey: KEY, localHost: 'ws1' }).tfvars;
const natLab = (): TerraformVars =>
  terraformVars({ topology: defaultTopology(), settings: parseLibvirtSettings({ network: { mode: 'nat' } }), labDir: '/labs/a', sshPublicKey: KEY, localHost: 'ws1' }).tfvars;

describe('terraform/', () => {
  it('parses as HCL, file by file', async () => {
    const files = tfFiles(ROOT);
    expect(files.map((f) => relative(ROOT, f)).sort()).toEqual([
      'main.tf',
      'modules/lab-host/main.tf',
      'modules/lab-host/outputs.tf',
      'modules/lab-host/variables.tf',
      'modules/lab-host/versions.tf',
      'outputs.tf',
      'variables.tf',
      'versions.tf',
    ]);
    for (const f of files) await expect(parse(f, readFileSync(f, 'utf8'))).resolves.toBeTypeOf('object');
    await expect(parse('broken.tf', 'variable "x" { type = ')).rejects.toThrow(/Missing expression/);
  });

  it('pins the libvirt provider to its 0.8 series and uses only resources that series has', () => {
    const terraform = root.terraform as unknown as Block[];
    const required = (terraform[0]?.required_providers as Record<string, { source: string; version: string }>[] | undefined)?.[0]?.libvirt;
    expect(required).toEqual({ source: 'dmacvicar/libvirt', version: '~> 0.8.3' });
    expect(Object.keys(root.resource ?? {})).toEqual(['terraform_data']);
    expect(Object.keys(mod.resource ?? {}).sort()).toEqual(['libvirt_domain', 'libvirt_network', 'libvirt_pool', 'libvirt_volume']);
  });

  it('declares every variable it references, each with a type and a description', () => {
    for (const hcl of [root, mod]) {
      const vars = declared(hcl);
      expect([...varRefs(hcl)].filter((v) => !vars.has(v))).toEqual([]);
      for (const [name, v] of vars) {
        expect(v.type, name).toBeTypeOf('string');
        expect(String(v.description), name).toMatch(/\w{3}/);
        parseType(stripInterpolation(v.type));
      }
    }
  });

  it('calls the lab-host module once per host slot with exactly its variables', () => {
    const modules = blocks(root, 'module');
    const providers = blocks(root, 'provider').libvirt ?? [];
    expect(Object.keys(modules)).toEqual(Array.from({ length: MAX_HOSTS }, (_, i) => `host_${i}`));
    expect(providers.map((p) => p.alias)).toEqual(Array.from({ length: MAX_HOSTS }, (_, i) => `host_${i}`));
    const hostsCheck = (declared(root).get('hosts')?.validation as Block[] | undefined)?.[0]?.condition;
    expect(stripInterpolation(hostsCheck)).toContain(`length(var.hosts) <= ${MAX_HOSTS}`);
    const moduleVars = [...declared(mod).keys()].sort();
    for (const [name, [call]] of Object.entries(modules)) {
      expect(call?.source, name).toBe('./modules/lab-host');
      expect(call?.providers, name).toEqual({ libvirt: `\${libvirt.${name}}` });
      const args = Object.keys(call ?? {}).filter((k) => !['source', 'count', 'providers', 'depends_on'].includes(k));
      expect(args.sort(), name).toEqual(moduleVars);
    }
  });

  it('takes exactly what the export writes, each value of its declared type', () => {
    const vars = declared(root);
    for (const tfvars of [defaultLab(), multiHost(), natLab()]) {
      const written = Object.keys(tfvars);
      expect(written.filter((k) => !vars.has(k))).toEqual([]);
      // Variables without a default must be written; the others are written too, so the file is the whole lab.
      expect([...vars.keys()].filter((k) => !written.includes(k))).toEqual([]);
      for (const [name, v] of vars) expect(typeErrors((tfvars as unknown as Record<string, unknown>)[name], parseType(stripInterpolation(v.type)), name), name).toEqual([]);
    }
    // The checker does catch a value of the wrong shape.
    const nodes = parseType(stripInterpolation(vars.get('nodes')?.type));
    const bad = { PR: { ...(defaultLab().nodes.PR as TerraformNode), vcpus: '2', extra: 1 } };
    expect(typeErrors(bad, nodes, 'nodes')).toEqual(['nodes.PR.extra: not declared', 'nodes.PR.vcpus: not a number']);
  });

  it('passes the module the same variable types the root declares', () => {
    const rootVars = declared(root);
    for (const [name, v] of declared(mod)) {
      if (name === 'host') continue;
      expect(parseType(stripInterpolation(v.type)), name).toEqual(parseType(stripInterpolation(rootVars.get(name)?.type)));
    }
  });

  it('fills every placeholder of the domain stylesheet from main.tf', () => {
    const template = readFileSync(join(MODULE, 'domain.xsl.tftpl'), 'utf8');
    const placeholders = [...template.matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]).sort();
    expect(template).not.toMatch(/%\{/);
    const xslt = domainXslt();
    const call = /templatefile\("\$\{path\.module\}\/domain\.xsl\.tftpl", \{([\s\S]*)\}\)/.exec(xslt);
    const keys = [...(call?.[1] ?? '').matchAll(/^\s*([a-z_]+)\s*=/gm)].map((m) => m[1]).sort();
    expect(keys).toEqual(['netdev', 'tcg']);
    expect([...new Set(placeholders)]).toEqual(keys);
  });

  it("builds the user-mode netdev from each node's restrict and host forwards only, as netdev() below does", () => {
    const xslt = domainXslt();
    expect(xslt).toContain('["user", "id=spmsnet", "restrict=${each.value.restrict ? "on" : "off"}"],');
    expect(xslt).toContain('[for f in each.value.host_forwards : "hostfwd=tcp:${f.host_address}:${f.host_port}-:${f.guest_port}"],');
    // PVs connect to the PR themselves: no guestfwd (denied by libvirt's QEMU sandbox to a command, one connection to a chardev).
    expect(xslt).not.toContain('guestfwd');
  });
});

// The domain XML the provider's 0.8 series writes for a node (before the stylesheet).
const PROVIDER_DOMAIN = `<domain type="qemu">
  <name>spms-lab-tf-PR</name>
  <memory unit="MiB">768</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch="x86_64" machine="pc">hvm</type>
    <kernel>/var/lib/libvirt/images/spms-lab-tf/spms-lab-tf-pr-vmlinuz</kernel>
    <initrd>/var/lib/libvirt/images/spms-lab-tf/spms-lab-tf-pr-initrd.img</initrd>
    <cmdline>root=/dev/vda rw console=ttyS0 spms.ssh=c3NoLWVkMjU1MTk</cmdline>
  </os>
  <features><pae/><acpi/><apic/></features>
  <devices>
    <disk type="volume" device="disk">
      <driver name="qemu" type="qcow2"/>
      <source pool="spms-lab-tf" volume="spms-lab-tf-PR.qcow2"/>
      <target dev="vda" bus="virtio"/>
    </disk>
    <console type="pty"><target type="serial" port="0"/></console>
  </devices>
</domain>
`;

/** main.tf's netdev expression, for the export's values of one node. */
function netdev(n: TerraformNode): string {
  return ['user', 'id=spmsnet', `restrict=${n.restrict ? 'on' : 'off'}`, ...n.host_forwards.map((f) => `hostfwd=tcp:${f.host_address}:${f.host_port}-:${f.guest_port}`)].join(',');
}

describe('the user-mode network of a one-host lab', () => {
  it('is the one the libvirt provider gives its VMs: the PR restricted to its forwards, PVs not', () => {
    const lab = defaultLab();
    for (const [id, n] of Object.entries(lab.nodes)) {
      const provider = userNetdevArgs(
        n.host_forwards.map((f) => ({ hostPort: f.host_port, guestPort: f.guest_port })),
        n.role === 'pr',
      )[1];
      // Only the netdev's id differs.
      expect(netdev(n), id).toBe(provider?.replace('id=spmsnet0', 'id=spmsnet'));
    }
  });
});

const tools = onPath('xsltproc') && onPath('virt-xml-validate');

describe.skipIf(!tools)('the domain stylesheet (xsltproc, virt-xml-validate)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spms-tf-xsl-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function transform(domain: string, values: { tcg: string; netdev: string }): string {
    const template = readFileSync(join(MODULE, 'domain.xsl.tftpl'), 'utf8');
    writeFileSync(join(dir, 'domain.xsl'), template.replaceAll('${tcg}', values.tcg).replaceAll('${netdev}', values.netdev));
    writeFileSync(join(dir, 'domain.xml'), domain);
    const out = execFileSync('xsltproc', [join(dir, 'domain.xsl'), join(dir, 'domain.xml')], { encoding: 'utf8' });
    writeFileSync(join(dir, 'out.xml'), out);
    execFileSync('virt-xml-validate', [join(dir, 'out.xml'), 'domain'], { stdio: 'pipe' });
    return out;
  }

  it('adds the TCG cache and the user-mode network, and the result is valid domain XML', () => {
    const pv = defaultLab().nodes.PV1 as TerraformNode;
    const out = transform(PROVIDER_DOMAIN, { tcg: 'true', netdev: netdev(pv) });
    expect(out).toMatch(/<domain xmlns:qemu="http:\/\/libvirt\.org\/schemas\/domain\/qemu\/1\.0" type="qemu">/);
    expect(out).toContain('<apic/><tcg><tb-cache unit="MiB">64</tb-cache></tcg></features>');
    expect(out).toContain('<qemu:arg value="user,id=spmsnet,restrict=off,hostfwd=tcp:127.0.0.1:42210-:22,hostfwd=tcp:127.0.0.1:42211-:8443"/>');
    const pr = transform(PROVIDER_DOMAIN, { tcg: 'true', netdev: netdev(defaultLab().nodes.PR as TerraformNode) });
    expect(pr).toContain('<qemu:arg value="user,id=spmsnet,restrict=on,hostfwd=tcp:127.0.0.1:42200-:22,hostfwd=tcp:127.0.0.1:42201-:8443,hostfwd=tcp:127.0.0.1:42202-:8883"/>');
    expect(out).toContain('<qemu:arg value="virtio-net-pci,netdev=spmsnet,bus=pci.0,addr=0x10"/>');
  });

  it('creates the features element when the provider wrote none', () => {
    const out = transform(PROVIDER_DOMAIN.replace('<features><pae/><acpi/><apic/></features>', ''), { tcg: 'true', netdev: '' });
    expect(out).toMatch(/<features>\s*<tcg>\s*<tb-cache unit="MiB">64<\/tb-cache>\s*<\/tcg>\s*<\/features>/);
    expect(out).not.toContain('qemu:commandline');
  });

  it('leaves a KVM domain on a NAT network as the provider wrote it', () => {
    const out = transform(PROVIDER_DOMAIN.replace('type="qemu"', 'type="kvm"'), { tcg: 'false', netdev: '' });
    expect(out).not.toMatch(/tcg|qemu:commandline/);
    expect(out).toContain('<features><pae/><acpi/><apic/></features>');
  });
});
