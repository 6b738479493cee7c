/**
 * Requests the custom server refuses before Next sees them, each with a JSON error where Next
 * answered a 500 in text, an empty 405 or an HTML 404.
 *
 *   request ── path not percent-decodable (`%FF`, `%E0%A4%A`) ──▶ 400 invalid_path
 *     ├─ /api/… ── names no API route ──▶ 404 not_found
 *     │          └─ method the route does not serve ──▶ 405 method_not_allowed + Allow
 *     ├─ any other path ── method outside GET, HEAD, POST, OPTIONS (TRACE, PUT …) ──▶ 405 + Allow
 *     └─ anything else ──▶ undefined: the edge passes it on
 *
 * Invariants: a pure function of the method and the request target; a refusal quotes input only
 * by a short prefix (`echoInput`); {@link API_ROUTES} names every `app/api/**\/route.ts` with the
 * methods it exports (a test keeps the two in step), so no route Next serves is refused here.
 * Pages keep POST and OPTIONS: Next answers them (server actions, CORS preflight).
 */
import { echoInput } from '../../lib/input-echo';
import { errorAnswer, type ErrorAnswer } from './error-answer';

/** An API route as the edge knows it: its path, `:name` for a dynamic segment, and its methods. */
export interface ApiRoute {
  readonly path: string;
  /** Every method answered, sorted: HEAD and OPTIONS included where Next adds them. */
  readonly methods: readonly string[];
}

/** A route handler's methods as Next serves them: HEAD with GET, and OPTIONS always. */
function nextRoute(path: string, ...exported: string[]): ApiRoute {
  const methods = new Set([...exported, 'OPTIONS']);
  if (methods.has('GET')) methods.add('HEAD');
  return { path, methods: [...methods].sort() };
}

/** The API routes: the route handlers under `app/api/`, and the health report the edge answers itself. */
export const API_ROUTES: readonly ApiRoute[] = [
  nextRoute('/api/searches', 'GET', 'POST'),
  nextRoute('/api/searches/:id', 'GET'),
  nextRoute('/api/searches/:id/cancel', 'POST'),
  nextRoute('/api/searches/:id/export', 'GET'),
  nextRoute('/api/match', 'POST'),
  nextRoute('/api/sites', 'GET'),
  nextRoute('/api/bulk', 'POST'),
  nextRoute('/api/bulk/:id', 'GET'),
  nextRoute('/api/bulk/:id/export', 'GET'),
  nextRoute('/api/bulk/:id/rerun', 'POST'),
  { path: '/api/health', methods: ['GET', 'HEAD'] },
];

/** Methods a page (or `/metrics`) may be asked with; Next answers each. */
const PAGE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
/** What a page serves, as its 405 says in Allow. */
const PAGE_ALLOW = 'GET, HEAD';

/** The decoded segments of a path, or undefined when one is not valid percent-encoded UTF-8. */
function decodedSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').map(decodeURIComponent);
  } catch {
    // URIError: a bad escape or bytes that are not UTF-8; the caller refuses it with a 400.
    return undefined;
  }
}

function routeOf(segments: readonly string[]): ApiRoute | undefined {
  // Next redirects a trailing slash to the path without it; match what it redirects to.
  const parts = segments.length > 2 && segments.at(-1) === '' ? segments.slice(0, -1) : segments;
  return API_ROUTES.find(({ path }) => {
    const pattern = path.split('/');
    return pattern.length === parts.length && pattern.every((part, i) => part.startsWith(':') ? parts[i] !== '' : part === parts[i]);
  });
}

function methodNotAllowed(method: string, where: string, allow: string): ErrorAnswer {
  const answer = errorAnswer(405, 'method_not_allowed', `${echoInput(method)} is not allowed on ${where}; allowed: ${allow}`);
  return { ...answer, headers: { ...answer.headers, Allow: allow } };
}

/**
 * The answer to a request the edge refuses (see the module picture), or undefined to pass it on.
 * `url` is the request target as it came (`req.url`), its query ignored.
 */
export function guardRequest(method: string | undefined, url: string | undefined): ErrorAnswer | undefined {
  const verb = method ?? '';
  const pathname = (url ?? '').split('?', 1)[0]!;
  const segments = decodedSegments(pathname);
  if (!segments) {
    return errorAnswer(400, 'invalid_path', `the path is not valid percent-encoded UTF-8: ${echoInput(pathname)}`);
  }
  if (pathname !== '/api' && !pathname.startsWith('/api/')) {
    return PAGE_METHODS.has(verb) ? undefined : methodNotAllowed(verb, 'a page', PAGE_ALLOW);
  }
  const route = routeOf(segments);
  if (!route) return errorAnswer(404, 'not_found', `no API route ${echoInput(pathname)}`);
  if (!route.methods.includes(verb)) return methodNotAllowed(verb, route.path, route.methods.join(', '));
  return undefined;
}
