import { useEffect, useState } from 'preact/hooks';

/** Hash routes (#/streams, #/accounts/<id>): the server serves one index.html and needs no fallback. */
export interface Route {
  path: string[];
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = hash.split('?', 2);
  return {
    path: path
      .split('/')
      .filter(Boolean)
      .map((segment) => {
        // A hand-edited hash may hold a malformed escape (%E0): keep it as typed rather than fail.
        try {
          return decodeURIComponent(segment);
        } catch {
          return segment;
        }
      }),
    params: new URLSearchParams(search),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function href(segments: string[], params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${text ? `?${text}` : ''}`;
}

export function navigate(segments: string[], params: Record<string, string | undefined> = {}) {
  location.hash = href(segments, params);
}
