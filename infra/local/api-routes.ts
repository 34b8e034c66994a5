/**
 * Resource matching as API Gateway REST does it: the most specific resource wins (static segment
 * over `{param}` over `{proxy+}`), then the method must exist on that resource (or ANY) — a path
 * or method with no resource/method is API Gateway's 403 "Missing Authentication Token".
 * A trailing slash is ignored, as API Gateway ignores it.
 */
export interface RouteTemplate {
  readonly method: string;
  readonly path: string;
}

export interface RouteMatch<R extends RouteTemplate> {
  readonly route: R;
  readonly pathParameters: Record<string, string> | null;
}

type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

function parseTemplate(template: string): Segment[] {
  return splitPath(template).map((s): Segment => {
    const greedy = /^\{(.+)\+\}$/.exec(s);
    if (greedy) return { kind: 'greedy', name: greedy[1] };
    const param = /^\{(.+)\}$/.exec(s);
    return param ? { kind: 'param', name: param[1] } : { kind: 'static', value: s };
  });
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s.length > 0);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Returns the captured parameters, or undefined when the template does not match. */
function matchTemplate(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[seg.name] = parts.slice(i).map(safeDecode).join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if (seg.kind === 'static' && seg.value !== parts[i]) return undefined;
    if (seg.kind === 'param') params[seg.name] = safeDecode(parts[i]);
  }
  return segments.length === parts.length ? params : undefined;
}

/** Lexicographic specificity: per segment, static 2 > param 1 > greedy 0. */
function specificity(segments: Segment[]): number[] {
  return segments.map((s) => (s.kind === 'static' ? 2 : s.kind === 'param' ? 1 : 0));
}

function compareSpecificity(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

export function matchRoute<R extends RouteTemplate>(routes: readonly R[], method: string, rawPath: string): RouteMatch<R> | undefined {
  const parts = splitPath(rawPath);
  let best: { template: string; score: number[]; params: Record<string, string> } | undefined;
  for (const route of routes) {
    const segments = parseTemplate(route.path);
    const params = matchTemplate(segments, parts);
    if (!params) continue;
    const score = specificity(segments);
    if (!best || compareSpecificity(score, best.score) > 0) best = { template: route.path, score, params };
  }
  if (!best) return undefined;
  const onResource = routes.filter((r) => r.path === best.template);
  const route = onResource.find((r) => r.method === method.toUpperCase()) ?? onResource.find((r) => r.method === 'ANY');
  if (!route) return undefined;
  return { route, pathParameters: Object.keys(best.params).length ? best.params : null };
}
