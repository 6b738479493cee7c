/**
 * The HTTP edge: what the custom server answers itself, ahead of Next, and what it does to every
 * request it passes on.
 *
 *   request ──▶ counted in progress (load shedder) ──▶ refused? (`request-guard.ts`) ──▶ 400/404/405
 *     ├─ ACCESS_TOKEN set and not presented (but health) ──▶ 401, or the link's 303 (access-token.ts)
 *     ├─ POST/PUT/… sent by a browser from another site ──▶ 403 (cross-site.ts)
 *     ├─ POST /api/searches, POST /api/bulk, POST /api/bulk/:id/rerun ── shed? ──yes──▶ 429 + Retry-After
 *     ├─ GET|HEAD /api/health ──▶ the health report (500 if it cannot be made)
 *     └─ anything else ── CLIENT_HEADER := client address (client-address.ts) ──▶ next (Next.js)
 *
 * Invariants: a shed search or bulk run costs no work in Next; health is answered without Next,
 * so a probe stays quick when the process is busiest (`health.ts`); the CLIENT_HEADER a route
 * handler reads is always the peer address (or what a proxy named in TRUST_PROXY forwarded),
 * never a value the client sent.
 */
import type { RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { NotFoundError, OverloadedError } from '../errors';
import { accessGate, type AccessDecision } from './access-token';
import { clientAddress } from './client-address';
import { crossSiteRefusal } from './cross-site';
import { errorAnswer, errorAnswerFor, INTERNAL_ERROR, retryAfterSeconds } from './error-answer';
import { LoadShedder, type LoadShedderOptions, type ShedDecision } from './load-shedder';
import { CLIENT_HEADER } from './responder';
import { guardRequest } from './request-guard';
import { answerError, answerJson, answerPage } from './server-answer';

/**
 * Searches running at or above which loop delay means overload. Below it a lagging loop is the
 * process alone (start-up, a first render), which must not refuse a user's search.
 */
export const BUSY_RUNNING_SEARCHES = 10;

/** Options of the HTTP edge. */
export interface EdgeOptions {
  /** The pipeline's load now; only `runningSearches` is read. */
  readonly load: () => { readonly runningSearches: number };
  /**
   * Searches running at or above which loop delay means overload. Default
   * {@link BUSY_RUNNING_SEARCHES} (10); an integer >= 0 (0: loop delay always counts).
   */
  readonly busyRunningSearches?: number;
  /** The report of `GET /api/health`. */
  readonly health: () => Promise<unknown>;
  /** Where requests the edge does not answer go (Next). Default: a 404, no web pages served. */
  readonly next?: RequestListener;
  /** Where a failed health report is logged. */
  readonly logger: Logger;
  /** Proxies whose `X-Forwarded-For` names the client (TRUST_PROXY). Default: none. */
  readonly trustedProxies?: ReadonlySet<string>;
  /** The token the whole instance is behind (ACCESS_TOKEN); default none. */
  readonly accessToken?: string;
  /** Origins besides the instance's own whose pages may change searches (ALLOWED_ORIGINS). */
  readonly allowedOrigins?: ReadonlySet<string>;
  /** Limits of the load shedder (and a lag source, for tests); `busy` comes from the load. */
  readonly shedder?: Omit<LoadShedderOptions, 'busy'>;
}

/** The HTTP edge of a running sitescan. */
export interface Edge {
  /** The request listener of the HTTP server. */
  readonly handle: RequestListener;
  /** Stops measuring the loop delay. */
  close(): void;
}

/** The answer to a request the access gate stopped. */
function answerAccess(res: ServerResponse, access: Exclude<AccessDecision, { kind: 'pass' }>): void {
  if (access.kind === 'enter') {
    res.writeHead(303, { Location: access.location, 'Set-Cookie': access.cookie, 'Cache-Control': 'no-store', 'Content-Length': '0' });
    res.end();
    return;
  }
  const challenge = { 'WWW-Authenticate': 'Bearer realm="sitescan"' };
  const message = 'this sitescan needs an access token: open the link with ?access_token=… you were given, or send Authorization: Bearer <token>';
  if (access.page) answerPage(res, 401, 'Access token needed', message, challenge);
  else answerError(res, { ...errorAnswer(401, 'unauthorized', message), headers: challenge });
}

/** Writes the answer to a thrown value, as a route handler's responder would. */
function answerThrown(res: ServerResponse, error: unknown): void {
  answerError(res, errorAnswerFor(error) ?? INTERNAL_ERROR);
}

function refusal(shed: ShedDecision): OverloadedError {
  const seconds = retryAfterSeconds(shed.retryAfterMs);
  return new OverloadedError(`sitescan is at capacity (${shed.reason}); try again in ${seconds} s`, shed.retryAfterMs);
}

/** Whether a POST to `pathname` starts a bulk run: an upload, or a recorded run started again. */
function startsBulkRun(pathname: string | undefined): boolean {
  return pathname === '/api/bulk' || (pathname !== undefined && /^\/api\/bulk\/[^/]+\/rerun\/?$/.test(pathname));
}

const notServed: RequestListener = (_req, res) =>
  answerThrown(res, new NotFoundError('web pages are not served by this instance'));

/** Creates the edge: the request listener of the custom server. */
export function createEdge(options: EdgeOptions): Edge {
  const { load, health, logger, next = notServed, trustedProxies = new Set<string>(), allowedOrigins } = options;
  const busyRunningSearches = options.busyRunningSearches ?? BUSY_RUNNING_SEARCHES;
  if (!Number.isInteger(busyRunningSearches) || busyRunningSearches < 0) {
    throw new TypeError(`Expected \`busyRunningSearches\` to be an integer >= 0, got ${busyRunningSearches}`);
  }
  const gate = accessGate(options.accessToken);
  const shedder = new LoadShedder({ ...options.shedder, busy: () => load().runningSearches >= busyRunningSearches });

  const answerHealth = (res: ServerResponse) =>
    health().then(
      (report) => answerJson(res, 200, report),
      (error: unknown) => {
        logger.error({ err: error }, 'health report failed');
        answerError(res, errorAnswer(500, 'internal', 'could not report health'));
      },
    );

  const handle: RequestListener = (req, res) => {
    shedder.requestsInProgress++;
    res.once('close', () => shedder.requestsInProgress--);
    const refused = guardRequest(req.method, req.url);
    if (refused) return answerError(res, refused);
    const pathname = req.url?.split('?', 1)[0];
    const access = gate({ method: req.method, url: req.url, cookie: req.headers.cookie, authorization: req.headers.authorization, accept: req.headers.accept });
    if (access.kind !== 'pass') return answerAccess(res, access);
    const crossSite = crossSiteRefusal(req.method, req.headers, allowedOrigins);
    if (crossSite) return answerThrown(res, crossSite);
    if (req.method === 'POST' && (pathname === '/api/searches' || startsBulkRun(pathname))) {
      const shed = pathname === '/api/searches' ? shedder.admitSearch() : shedder.admitBulk();
      if (shed) return answerThrown(res, refusal(shed));
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && pathname === '/api/health') {
      void answerHealth(res);
      return;
    }
    // For per-client limits and ownership; a client-sent value is overwritten, never trusted.
    req.headers[CLIENT_HEADER] = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);
    next(req, res);
  };

  return { handle, close: () => shedder.close() };
}
