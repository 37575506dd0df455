// PQUIC's plugin API as data (data/api.json, see data/NOTICE): helper names and
// ids, access keys, protocol operations; plus the typing of the get/set helper
// families, which the side-effect and memory checks need.
import apiJson from './data/api.json' with { type: 'json' };

export interface Helper {
  id: number;
  name: string;
}

export interface ProtoopInfo {
  name: string;
  /** Whether the operation is anchored per parameter (e.g. per frame type). */
  param: boolean;
}

/** Object kinds reachable through getters/setters, named like the AK_ prefixes. */
export type ObjectKind = 'cnx' | 'path' | 'pktctx' | 'pkt' | 'sackitem' | 'cnxid' | 'streamhead' | 'streamdata' | 'cryptocontext' | 'ph' | 'pidreq';

const akPrefix: Record<ObjectKind, string> = {
  cnx: 'AK_CNX_',
  path: 'AK_PATH_',
  pktctx: 'AK_PKTCTX_',
  pkt: 'AK_PKT_',
  sackitem: 'AK_SACKITEM_',
  cnxid: 'AK_CNXID_',
  streamhead: 'AK_STREAMHEAD_',
  streamdata: 'AK_STREAMDATA_',
  cryptocontext: 'AK_CRYPTOCONTEXT_',
  ph: 'AK_PH_',
  pidreq: 'AK_PIDREQ_',
};

/**
 * The get/set helpers: r1 = object, r2 = access key. Setters of cnx and path
 * take an extra uint16 parameter (r3) before the value.
 */
export interface Accessor {
  kind: ObjectKind;
  write: boolean;
  /** Register holding the value written (setters only). */
  valueReg?: number;
}

const accessors: Record<string, Accessor> = {
  get_cnx: { kind: 'cnx', write: false },
  set_cnx: { kind: 'cnx', write: true, valueReg: 4 },
  get_path: { kind: 'path', write: false },
  set_path: { kind: 'path', write: true, valueReg: 4 },
  get_pkt_ctx: { kind: 'pktctx', write: false },
  set_pkt_ctx: { kind: 'pktctx', write: true, valueReg: 3 },
  get_pkt: { kind: 'pkt', write: false },
  set_pkt: { kind: 'pkt', write: true, valueReg: 3 },
  get_sack_item: { kind: 'sackitem', write: false },
  set_sack_item: { kind: 'sackitem', write: true, valueReg: 3 },
  get_cnxid: { kind: 'cnxid', write: false },
  set_cnxid: { kind: 'cnxid', write: true, valueReg: 3 },
  get_stream_head: { kind: 'streamhead', write: false },
  set_stream_head: { kind: 'streamhead', write: true, valueReg: 3 },
  get_stream_data: { kind: 'streamdata', write: false },
  get_crypto_context: { kind: 'cryptocontext', write: false },
  set_crypto_context: { kind: 'cryptocontext', write: true, valueReg: 3 },
  get_ph: { kind: 'ph', write: false },
  set_ph: { kind: 'ph', write: true, valueReg: 3 },
  get_preq: { kind: 'pidreq', write: false },
  set_preq: { kind: 'pidreq', write: true, valueReg: 3 },
};

/** Helpers reading/writing plugin-private metadata attached to core objects. */
const metadataHelpers = new Set([
  'get_cnx_metadata',
  'set_cnx_metadata',
  'get_path_metadata',
  'set_path_metadata',
  'get_pkt_ctx_metadata',
  'set_pkt_ctx_metadata',
  'get_pkt_metadata',
  'set_pkt_metadata',
]);

/** Helpers writing memory: destination pointer register and length register (if any). */
const memoryWriters: Record<string, { dst: number; len?: number }> = {
  my_memcpy: { dst: 1, len: 3 },
  my_memcpy_dbg: { dst: 1, len: 3 },
  my_memset: { dst: 1, len: 3 },
  my_memset_dbg: { dst: 1, len: 3 },
  strncpy: { dst: 1, len: 3 },
  snprintf: { dst: 1, len: 2 },
  snprintf_bytes: { dst: 1, len: 2 },
  picoquic_varint_encode: { dst: 1, len: 2 },
  inet_ntop: { dst: 3, len: 4 },
  recv: { dst: 2, len: 3 },
};

/** Helpers returning plugin heap memory. */
const heapAllocators = new Set(['my_malloc', 'my_malloc_ex', 'my_malloc_dbg', 'my_realloc']);

interface RawApi {
  helpers: { id: number | string; name: string }[];
  access_keys: Record<string, number>;
  protoops: { name: string; param: boolean }[];
}

const raw = apiJson as RawApi;

export const helpers: readonly Helper[] = raw.helpers.map((h) => ({
  id: typeof h.id === 'number' ? h.id : Number.parseInt(h.id, 16),
  name: h.name,
}));

/** First id registered for each name, as PQUIC's loader resolves by first match. */
const helperIdByName = new Map<string, number>();
for (const h of helpers) if (!helperIdByName.has(h.name)) helperIdByName.set(h.name, h.id);

export function helperId(name: string): number | undefined {
  return helperIdByName.get(name);
}

export const protoops: ReadonlyMap<string, ProtoopInfo> = new Map(raw.protoops.map((p) => [p.name, { name: p.name, param: p.param }]));

export function accessorOf(helper: string): Accessor | undefined {
  return accessors[helper];
}

export function isMetadataHelper(helper: string): boolean {
  return metadataHelpers.has(helper);
}

export function memoryWriterOf(helper: string): { dst: number; len?: number } | undefined {
  return memoryWriters[helper];
}

export function isHeapAllocator(helper: string): boolean {
  return heapAllocators.has(helper);
}

/** Access key names of one object kind, by value (first name wins on duplicates). */
const keyNames = new Map<ObjectKind, Map<number, string>>();
for (const kind of Object.keys(akPrefix) as ObjectKind[]) {
  const m = new Map<number, string>();
  for (const [name, value] of Object.entries(raw.access_keys)) {
    if (name.startsWith(akPrefix[kind]) && !m.has(value)) {
      // AK_PKT_ must not swallow AK_PKTCTX_ keys.
      if (kind === 'pkt' && name.startsWith('AK_PKTCTX_')) continue;
      m.set(value, name);
    }
  }
  keyNames.set(kind, m);
}

export function accessKeyName(kind: ObjectKind, value: number): string | undefined {
  return keyNames.get(kind)?.get(value);
}

/** Normalised field name of an access key: "AK_PATH_PACING_BUCKET_NANO_SEC" -> "pacingbucketnanosec". */
export function accessKeyField(kind: ObjectKind, keyName: string): string {
  return normaliseField(keyName.slice(akPrefix[kind].length));
}

/** Spec field names and access key suffixes compare without case and underscores. */
export function normaliseField(field: string): string {
  return field.toLowerCase().replace(/_/g, '');
}

/** The object kind a getter result points to, for keys returning core objects. */
const pointerKeys: Record<string, ObjectKind> = {
  AK_CNX_PATH: 'path',
  AK_CNX_INITIAL_CID: 'cnxid',
  AK_CNX_CRYPTO_CONTEXT: 'cryptocontext',
  AK_CNX_FIRST_STREAM: 'streamhead',
  AK_CNX_TLS_STREAM: 'streamhead',
  AK_PATH_PKT_CTX: 'pktctx',
  AK_PATH_LOCAL_CID: 'cnxid',
  AK_PATH_REMOTE_CID: 'cnxid',
  AK_PKTCTX_FIRST_SACK_ITEM: 'sackitem',
  AK_PKTCTX_RETRANSMIT_NEWEST: 'pkt',
  AK_PKTCTX_RETRANSMIT_OLDEST: 'pkt',
  AK_PKTCTX_RETRANSMITTED_NEWEST: 'pkt',
  AK_PKTCTX_RETRANSMITTED_OLDEST: 'pkt',
  AK_PKT_PREVIOUS_PACKET: 'pkt',
  AK_PKT_NEXT_PACKET: 'pkt',
  AK_PKT_SEND_PATH: 'path',
  AK_SACKITEM_NEXT_SACK: 'sackitem',
  AK_STREAMHEAD_NEXT_STREAM: 'streamhead',
  AK_CNX_PIDS_TO_REQUEST: 'pidreq',
};

export function pointerKindOfKey(keyName: string): ObjectKind | undefined {
  return pointerKeys[keyName];
}

/** Keys that follow a linked list (used by the list-traversal assumption). */
export function isNextKey(keyName: string): boolean {
  return /_(NEXT|PREVIOUS)_/.test(keyName);
}

/** Spec C types -> object kinds (pointer inputs only). */
export function kindOfCType(type: string): ObjectKind | undefined {
  const t = type.replace(/\s+/g, '');
  if (t === 'picoquic_cnx_t') return 'cnx';
  if (t === 'picoquic_path_t') return 'path';
  if (t === 'picoquic_packet_t') return 'pkt';
  if (t === 'picoquic_packet_context_t') return 'pktctx';
  if (t === 'picoquic_sack_item_t') return 'sackitem';
  if (t === 'picoquic_connection_id_t') return 'cnxid';
  if (t === 'picoquic_stream_head' || t === 'picoquic_stream_head_t') return 'streamhead';
  if (t === 'picoquic_packet_header') return 'ph';
  return undefined;
}
