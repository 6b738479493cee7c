/**
 * Who may open a Socket.IO connection: a browser only from this instance's own origin (or one
 * configured), and no client address more than a set number of connections at once.
 *
 *   handshake ──▶ admit(address, Origin, Host) ──refused──▶ 403 with the reason (no socket made)
 *                          │ admitted
 *                          ▼
 *   connection opened ──▶ opened(address) ──over the cap (a race)──▶ closed at once
 *                          │
 *   connection closed ──▶ closed(address)
 *
 * Worked example (cap 2): a client at 10.0.0.5 opens two sockets — both admitted, count 2. A third
 * handshake is refused with "too many connections". One of the two closes — count 1 — and the
 * next handshake is admitted again. A client at 10.0.0.6 is counted apart and is never refused
 * because of 10.0.0.5.
 *
 * Why the origin: browsers send cookies and reach loopback from any page they show, and
 * WebSockets are not covered by CORS — without this check any web page could open sockets to a
 * sitescan on its reader's machine or intranet and read every search it follows. Clients that are
 * not browsers send no Origin and are admitted (they can choose any header anyway).
 *
 * Invariants:
 * - a handshake with an Origin MUST be refused unless that origin's host is the request's Host or
 *   the origin is listed;
 * - the count of an address MUST equal its open connections: every `opened` is matched by one
 *   `closed`; an address with none is forgotten (the map does not grow with past clients);
 * - `admit` MUST NOT count anything: only a connection that opened holds a place.
 *
 * Pure: no sockets, no timers. The hub calls it from Socket.IO's `allowRequest` and the
 * connection events of its engine.
 */

import { originAllowed, originOf } from './http/origins';

/** Options of a {@link SocketGuard}. */
export interface SocketGuardOptions {
  /** Connections one client address may hold at once. An integer >= 1. */
  readonly connectionsPerClient: number;
  /**
   * Origins besides the instance's own from which a browser may connect, as `URL.origin` writes
   * them (`https://sitescan.example.com`, no path). Default none.
   */
  readonly allowedOrigins?: readonly string[];
}

/** What a handshake shows of itself. */
export interface HandshakeInfo {
  /** The client address (`http/client-address.ts`: the peer, or what a trusted proxy forwarded for). */
  readonly address: string;
  /** The `Origin` header, when the client sent one. */
  readonly origin?: string;
  /** The `Host` header. */
  readonly host?: string;
}

/** The answer to a handshake. */
export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'origin_not_allowed' | 'too_many_connections'; readonly message: string };

/** Admits Socket.IO handshakes and counts open connections per client address. */
export class SocketGuard {
  readonly connectionsPerClient: number;
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly open = new Map<string, number>();

  constructor(options: SocketGuardOptions) {
    const { connectionsPerClient, allowedOrigins = [] } = options;
    if (!Number.isInteger(connectionsPerClient) || connectionsPerClient < 1) {
      throw new TypeError(`Expected \`connectionsPerClient\` to be an integer >= 1, got ${String(connectionsPerClient)}`);
    }
    for (const origin of allowedOrigins) {
      if (originOf(origin) !== origin) {
        throw new TypeError(`Expected each of \`allowedOrigins\` to be an origin like https://sitescan.example.com, got ${JSON.stringify(origin)}`);
      }
    }
    this.connectionsPerClient = connectionsPerClient;
    this.allowedOrigins = new Set(allowedOrigins);
  }

  /** Whether a handshake may open a connection, and if not, why. Counts nothing. */
  admit(handshake: HandshakeInfo): Admission {
    const { address, origin, host } = handshake;
    if (origin !== undefined && !this.originAllowed(origin, host)) {
      return {
        ok: false,
        code: 'origin_not_allowed',
        message: `origin ${JSON.stringify(origin)} may not connect: only pages of ${host ? `this site (${host})` : 'this site'} or of an origin in ALLOWED_ORIGINS may`,
      };
    }
    const open = this.connections(address);
    if (open >= this.connectionsPerClient) {
      return {
        ok: false,
        code: 'too_many_connections',
        message: `too many connections from ${address}: ${open} open, at most ${this.connectionsPerClient} per client address`,
      };
    }
    return { ok: true };
  }

  /**
   * Counts a connection that opened. False when the address was already at the cap (two
   * handshakes admitted at once, before either opened): the caller closes it.
   */
  opened(address: string): boolean {
    const open = this.connections(address);
    if (open >= this.connectionsPerClient) return false;
    this.open.set(address, open + 1);
    return true;
  }

  /** Counts a connection that closed (only one that `opened` accepted). */
  closed(address: string): void {
    const open = this.connections(address) - 1;
    if (open > 0) this.open.set(address, open);
    else this.open.delete(address);
  }

  /** Open connections of an address. */
  connections(address: string): number {
    return this.open.get(address) ?? 0;
  }

  /** Addresses with at least one open connection. */
  get clients(): number {
    return this.open.size;
  }

  private originAllowed(origin: string, host: string | undefined): boolean {
    return originAllowed(origin, host, this.allowedOrigins);
  }
}
