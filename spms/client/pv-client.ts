// A typed client for one PV's user gateway (see spms/pv/user-gateway.ts).
import { fromHex, toHex, proofFromJson, strFromJson, type LookupProof, type Policy, type SignedStr } from '../core/index.ts';
import { getJson, TransportError, type Transport } from './transport.ts';

export interface PvInfo {
  pvId: string;
  treeId: Uint8Array;
  strPublicKey: Uint8Array;
  policy: Policy;
  policyHash: Uint8Array;
  certificate: string;
}

export interface EpochProof {
  epoch: number;
  str: SignedStr;
  proof: LookupProof;
}

function field<T>(obj: unknown, key: string, guard: (v: unknown) => v is T, what: string): T {
  const v = (obj as Record<string, unknown> | null)?.[key];
  if (!guard(v)) throw new TransportError('bad-response', `PV answer: ${key} must be ${what}`);
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export class PvClient {
  constructor(
    readonly baseUrl: string,
    private readonly transport: Transport,
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, '')}${path}`;
  }

  async info(): Promise<PvInfo> {
    const j = await getJson(this.transport, this.url('/v1/info'));
    return {
      pvId: field(j, 'pvId', isString, 'a string'),
      treeId: fromHex(field(j, 'treeId', isString, 'hex')),
      strPublicKey: fromHex(field(j, 'strPublicKey', isString, 'hex')),
      policy: field(j, 'policy', isObject, 'an object') as unknown as Policy,
      policyHash: fromHex(field(j, 'policyHash', isString, 'hex')),
      certificate: field(j, 'certificate', isString, 'PEM text'),
    };
  }

  async latestStr(): Promise<SignedStr> {
    return strFromJson(await getJson(this.transport, this.url('/v1/str/latest')));
  }

  async str(epoch: number): Promise<SignedStr> {
    return strFromJson(await getJson(this.transport, this.url(`/v1/str/${epoch}`)));
  }

  async strs(from: number, to?: number): Promise<SignedStr[]> {
    const q = to === undefined ? `from=${from}` : `from=${from}&to=${to}`;
    const j = await getJson(this.transport, this.url(`/v1/strs?${q}`));
    return field(j, 'strs', isArray, 'a list').map(strFromJson);
  }

  async proof(name: string, epoch?: number): Promise<EpochProof> {
    const q = epoch === undefined ? '' : `?epoch=${epoch}`;
    const j = await getJson(this.transport, this.url(`/v1/proof/${encodeURIComponent(name)}${q}`));
    return { epoch: field(j, 'epoch', isNumber, 'a number'), str: strFromJson(field(j, 'str', isObject, 'an STR')), proof: proofFromJson(field(j, 'proof', isObject, 'a proof')) };
  }

  /** The canonical CBOR of a binding this PV built. */
  async binding(hash: Uint8Array): Promise<Uint8Array> {
    const res = await this.transport.request('GET', this.url(`/v1/bindings/${toHex(hash)}`), { accept: 'application/cbor' });
    if (res.status !== 200) throw new TransportError(res.status === 404 ? 'unknown-binding' : 'http-error', `binding ${toHex(hash)}: HTTP ${res.status}`, res.status);
    return res.body;
  }

  /** Proofs for `name` at every epoch in [from, to] (the PV caps the range). */
  async history(name: string, from: number, to?: number): Promise<EpochProof[]> {
    const q = to === undefined ? `from=${from}` : `from=${from}&to=${to}`;
    const j = await getJson(this.transport, this.url(`/v1/monitor/${encodeURIComponent(name)}?${q}`));
    return field(j, 'epochs', isArray, 'a list').map((e) => ({
      epoch: field(e, 'epoch', isNumber, 'a number'),
      str: strFromJson(field(e, 'str', isObject, 'an STR')),
      proof: proofFromJson(field(e, 'proof', isObject, 'a proof')),
    }));
  }
}
