// The renderer's one way to the daemon: JSON over HTTP on the same origin
// (the login cookie authenticates), typed per route, with the daemon's error
// shape turned into ApiError.
import type {
  BundleCheck,
  EpochChain,
  IssuedCertificate,
  LabInfo,
  LibvirtSettings,
  LabStatus,
  MeasureFile,
  MonitorResult,
  MonitorWindow,
  PluginStatus,
  ProviderInfo,
  ProofAnswer,
  Submission,
  Task,
  Topology,
  SkippedVerifier,
  VmImage,
} from './api-types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the daemon cannot be reached: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    if (res.ok) return text as T;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? 'http-error', err?.message ?? `HTTP ${res.status}`, err?.details);
  }
  return json as T;
}

/** Upload with progress (fetch cannot report upload progress; XHR can). */
function upload(form: FormData, onProgress?: (fraction: number) => void): Promise<Submission> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/plugins');
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'unreachable', 'the upload did not reach the daemon'));
    xhr.onload = () => {
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        reject(new ApiError(xhr.status, 'http-error', `HTTP ${xhr.status}`));
        return;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as Submission);
      else {
        const err = (json as { error?: { code?: string; message?: string } }).error;
        reject(new ApiError(xhr.status, err?.code ?? 'http-error', err?.message ?? `HTTP ${xhr.status}`));
      }
    };
    xhr.send(form);
  });
}

const enc = encodeURIComponent;

export const api = {
  lab: () => call<LabInfo>('GET', '/api/lab'),
  status: () => call<LabStatus>('GET', '/api/lab/status'),
  defaultTopology: () => call<{ topology: Topology }>('GET', '/api/lab/topology/default'),
  putTopology: (topology: Topology) => call<{ topology: Topology; unavailable: SkippedVerifier[] }>('PUT', '/api/lab/topology', { topology }),
  provider: () => call<ProviderInfo>('GET', '/api/lab/provider'),
  putProvider: (kind: ProviderInfo['kind'], libvirt?: LibvirtSettings) => call<ProviderInfo>('PUT', '/api/lab/provider', libvirt === undefined ? { kind } : { kind, settings: libvirt }),
  images: () => call<{ dir: string; images: VmImage[] }>('GET', '/api/images'),
  buildImages: (role: 'pr' | 'pv' | 'all' = 'all') => call<{ task: Task }>('POST', '/api/images/build', { role }),
  deploy: () => call<{ task: Task }>('POST', '/api/lab/deploy'),
  teardown: () => call<{ task: Task }>('POST', '/api/lab/teardown'),
  logs: (node: string, tail = 200) => call<{ node: string; lines: string[] }>('GET', `/api/nodes/${enc(node)}/logs?tail=${tail}`),
  tasks: () => call<{ tasks: Task[] }>('GET', '/api/tasks'),
  task: (id: string) => call<{ task: Task }>('GET', `/api/tasks/${enc(id)}`),
  cancelTask: (id: string) => call<{ task: Task }>('POST', `/api/tasks/${enc(id)}/cancel`),
  certificates: () => call<{ certificates: IssuedCertificate[] }>('GET', '/api/ca/certificates'),
  /** The root CA certificate (PEM text). */
  caRoot: () => call<string>('GET', '/api/ca/root'),
  issueDeveloper: (name: string, namespaces: string[]) => call<{ certificate: IssuedCertificate; certPem: string; keyPem: string }>('POST', '/api/ca/developers', { name, namespaces }),
  revoke: (serial: string, reason?: string) => call<{ certificate: IssuedCertificate }>('POST', `/api/ca/certificates/${enc(serial)}/revoke`, reason === undefined ? {} : { reason }),
  uploadPlugin: upload,
  plugins: () => call<{ plugins: { name: string; versions: number; latest: Record<string, unknown> }[] }>('GET', '/api/plugins'),
  plugin: (name: string) => call<PluginStatus>('GET', `/api/plugins/${enc(name)}`),
  epochs: (pv: string, from?: number, to?: number) => {
    const q = new URLSearchParams();
    if (from !== undefined) q.set('from', String(from));
    if (to !== undefined) q.set('to', String(to));
    return call<EpochChain>('GET', `/api/pvs/${enc(pv)}/epochs${q.size > 0 ? `?${q.toString()}` : ''}`);
  },
  proof: (name: string, pv: string, epoch?: number) => call<ProofAnswer>('GET', `/api/proofs/${enc(name)}?pv=${enc(pv)}${epoch === undefined ? '' : `&epoch=${epoch}`}`),
  checkBundle: (name: string, formula: string, opts: { bindingHash?: string; maxAgeMs?: number } = {}) => call<BundleCheck>('POST', '/api/bundles/check', { name, formula, ...opts }),
  monitor: (names: string[], expect?: Record<string, string[]>, window: MonitorWindow = {}) =>
    call<MonitorResult>('POST', '/api/monitor', { names, ...(expect === undefined ? {} : { expect }), ...window }),
  measures: () => call<{ dir: string; files: MeasureFile[] }>('GET', '/api/measures'),
  measure: <T = unknown>(file: string) => call<T>('GET', `/api/measures/${enc(file)}`),
};
