// Hash routing: #/view?key=value, so any state worth sharing is a link and
// the page works from the daemon and inside the desktop shell alike.
export const VIEWS = ['lab', 'plugins', 'epochs', 'proofs', 'peer', 'monitor', 'certificates', 'measures'] as const;
export type View = (typeof VIEWS)[number];

function parse(hash: string): { view: View; params: URLSearchParams } {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'lab';
  return { view, params: new URLSearchParams(query) };
}

class Router {
  view = $state<View>('lab');
  params = $state(new URLSearchParams());

  constructor() {
    const sync = (): void => {
      const r = parse(location.hash);
      this.view = r.view;
      this.params = r.params;
    };
    sync();
    window.addEventListener('hashchange', sync);
  }

  go(view: View, params: Record<string, string | number | undefined> = {}): void {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
    location.hash = `#/${view}${q.size > 0 ? `?${q.toString()}` : ''}`;
  }
}

export const router = new Router();
