/**
 * The Lua scripts behind a site's limiter on Redis, and the typed calls that run them.
 *
 * Every read-modify-write of a site's shared limits happens inside one of these scripts, so it
 * is atomic however many nodes call at once, and every time in them is Redis's (`TIME`), so the
 * nodes' own clocks never matter. Times are ms since epoch with µs decimals; they travel as
 * strings, because Redis turns a Lua number reply into an integer and a Lua number argument into
 * 14 digits.
 *
 * Keys of one site (one hash tag, so a Redis Cluster keeps them in one slot):
 *   <prefix>limiter:{<siteId>}:sent      sorted set: permit id → when Redis recorded its send
 *   <prefix>limiter:{<siteId>}:reserved  sorted set: permit id → when it was admitted, not sent yet
 *   <prefix>limiter:{<siteId>}:state     hash: version, pausedUntil, rate, circuitOpenUntil, lastAdmitAt
 *   <prefix>limiter:{<siteId>}           the channel: `sent`, `freed` and `state` messages
 */
import type { Redis } from 'ioredis';

/** The Redis names of one site's limiter. */
export interface SiteLimiterKeys {
  readonly sent: string;
  readonly reserved: string;
  readonly state: string;
  readonly channel: string;
}

/** Names the keys and the channel of `siteId`'s limiter under `prefix`. */
export function siteLimiterKeys(prefix: string, siteId: string): SiteLimiterKeys {
  const base = `${prefix}limiter:{${siteId}}`;
  return { sent: `${base}:sent`, reserved: `${base}:reserved`, state: `${base}:state`, channel: base };
}

/** A site's shared state, in Redis's clock. */
export interface SharedSiteState {
  /** Grows with every change (Redis's µs clock, or one more than the last): the newest wins. */
  readonly version: number;
  /** Until when the site asked to be left alone (ms since epoch); 0 when it never did. */
  readonly pausedUntil: number;
  /** The adaptive rate kept now, requests per second. */
  readonly ratePerSec: number;
  /** Until when the site's circuit is open (ms since epoch); 0 when closed. */
  readonly circuitOpenUntil: number;
}

/** What blocks an admission; `reserved` means places taken by requests not sent yet. */
export type RefusalReason = 'paused' | 'window' | 'reserved' | 'pacing';

/** The answer of one admission. */
export type AdmitVerdict =
  | { readonly admitted: true; readonly redisNow: number; readonly state: SharedSiteState }
  | {
      readonly admitted: false;
      /** When to try again at the latest, ms from now. With `reserved`, a `freed`/`sent` message may come first. */
      readonly waitMs: number;
      readonly reason: RefusalReason;
      readonly redisNow: number;
      readonly state: SharedSiteState;
    };

/** A state reply: Redis's time when the script ran and the state it left. */
export interface StateReply {
  readonly redisNow: number;
  readonly state: SharedSiteState;
}

/** Sends and reservations in the window now, cluster-wide. */
export interface WindowUse {
  /** Sends recorded in the last `perMs + margin`. */
  readonly sent: number;
  /** Places admitted and not sent yet (reservations younger than the stale bound). */
  readonly reserved: number;
}

/** The limits and AIMD constants every state change needs. */
export interface RateRule {
  /** Requests per second the site's definition allows. */
  readonly configuredPerSec: number;
  /** Pause after a push-back that gave no Retry-After, ms: one window. */
  readonly defaultPauseMs: number;
  readonly decrease: number;
  readonly increase: number;
  readonly floor: number;
}

/** A state change; `read` changes nothing. */
export type StateChange =
  | { readonly op: 'read' }
  | { readonly op: 'pushBack'; readonly pauseMs: number | undefined }
  | { readonly op: 'windowExhausted'; readonly pauseMs: number }
  | { readonly op: 'succeeded' }
  | { readonly op: 'openCircuit'; readonly forMs: number }
  | { readonly op: 'closeCircuit' };

/** A message on a site's channel. */
export type LimiterSignal =
  | { readonly kind: 'sent'; readonly id: string; readonly at: number }
  | { readonly kind: 'freed'; readonly id: string }
  | { readonly kind: 'state'; readonly state: SharedSiteState };

const PRELUDE = `
local function clock()
  local t = redis.call('TIME')
  local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  return us / 1000, us
end
local function ms(x) return string.format('%.3f', x) end
local function int(x) return string.format('%d', x) end
local function real(x) return string.format('%.17g', x) end

local function readState(key, configured)
  local f = redis.call('HMGET', key, 'version', 'pausedUntil', 'rate', 'circuitOpenUntil', 'lastAdmitAt')
  local rate = tonumber(f[3]) or configured
  -- A rate kept under an older, higher configuration is capped by the current one.
  if rate > configured then rate = configured end
  return { version = tonumber(f[1]) or 0, pausedUntil = tonumber(f[2]) or 0, rate = rate,
    circuitOpenUntil = tonumber(f[4]) or 0, lastAdmitAt = tonumber(f[5]) or 0 }
end

local function stateReply(reply, s, now)
  reply[#reply + 1] = ms(now)
  reply[#reply + 1] = int(s.version)
  reply[#reply + 1] = ms(s.pausedUntil)
  reply[#reply + 1] = real(s.rate)
  reply[#reply + 1] = ms(s.circuitOpenUntil)
  return reply
end
`;

/**
 * Admits one request iff the site is not paused, sends in the window plus reservations leave a
 * place, and (below the configured rate) the pacing interval since the last admission passed.
 * KEYS: sent, reserved, state. ARGV: permit id, requests, window ms (perMs + margin), stale ms,
 * configured rate per second.
 * Reply: admitted ('1' | '0'), wait ms, reason, then the state reply.
 */
const ADMIT = `${PRELUDE}
local now = clock()
local id, requests, windowMs, staleMs, configured =
  ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms(now - windowMs))
-- A reservation this old belongs to a node that died between admission and send.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms(now - staleMs))
local s = readState(KEYS[3], configured)
local sent = redis.call('ZCARD', KEYS[1])
local reserved = redis.call('ZCARD', KEYS[2])

-- Each block that applies names its end; the latest of them is when to try again.
local wait, reason = 0, nil
local function block(w, r)
  if reason == nil or w > wait then wait, reason = w, r end
end
if s.pausedUntil > now then block(s.pausedUntil - now, 'paused') end
-- Places that must free before one is ours: sends free in order of age; reservations only
-- when sent and aged out, settled unsent, or gone stale.
local over = sent + reserved - requests + 1
if over > 0 then
  if over <= sent then
    local entry = redis.call('ZRANGE', KEYS[1], over - 1, over - 1, 'WITHSCORES')
    block(tonumber(entry[2]) + windowMs - now, 'window')
  else
    local entry = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    block(tonumber(entry[2]) + staleMs - now, 'reserved')
  end
end
if s.rate < configured and s.lastAdmitAt + 1000 / s.rate > now then
  block(s.lastAdmitAt + 1000 / s.rate - now, 'pacing')
end

-- Never an answer of "now" while blocked: a caller would retry in a loop.
if reason then return stateReply({ '0', ms(math.max(wait, 1)), reason }, s, now) end
redis.call('ZADD', KEYS[2], ms(now), id)
redis.call('PEXPIRE', KEYS[2], math.ceil(staleMs))
redis.call('HSET', KEYS[3], 'lastAdmitAt', ms(now))
return stateReply({ '1', '0', 'admitted' }, s, now)
`;

/**
 * Turns a reservation into a send recorded now, and tells every node.
 * KEYS: sent, reserved. ARGV: permit id, window ms, channel. Reply: the time recorded.
 */
const MARK_SENT = `${PRELUDE}
local now = clock()
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], ms(now), ARGV[1])
-- The key goes with its newest send, once every send in it has aged out.
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
redis.call('PUBLISH', ARGV[3], cjson.encode({ kind = 'sent', id = ARGV[1], at = ms(now) }))
return ms(now)
`;

/**
 * Frees a reservation never sent, and tells every node when there was one.
 * KEYS: reserved. ARGV: permit id, channel. Reply: 1 when freed, 0 when it was not there.
 */
const RELEASE = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('PUBLISH', ARGV[2], cjson.encode({ kind = 'freed', id = ARGV[1] }))
return 1
`;

/**
 * Applies one state change (AIMD, pause, circuit) and publishes the new state when it changed.
 * KEYS: state. ARGV: op, argument ms ('' when none), configured rate, default pause ms,
 * decrease, increase, floor, channel. Reply: the state reply.
 */
const CHANGE_STATE = `${PRELUDE}
local now, nowUs = clock()
local op, arg, configured, defaultPause = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local decrease, increase, floor, channel = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local s = readState(KEYS[1], configured)
local pausedUntil, rate, circuitOpenUntil = s.pausedUntil, s.rate, s.circuitOpenUntil

if op == 'pushBack' then
  s.pausedUntil = math.max(s.pausedUntil, now + (arg or defaultPause))
  s.rate = math.max(configured * floor, s.rate * decrease)
elseif op == 'windowExhausted' then
  s.pausedUntil = math.max(s.pausedUntil, now + arg)
elseif op == 'succeeded' then
  s.rate = math.min(configured, s.rate + configured * increase)
elseif op == 'openCircuit' then
  s.circuitOpenUntil = math.max(s.circuitOpenUntil, now + arg)
elseif op == 'closeCircuit' then
  s.circuitOpenUntil = 0
elseif op ~= 'read' then
  return redis.error_reply('unknown state change ' .. tostring(op))
end

if s.pausedUntil ~= pausedUntil or s.rate ~= rate or s.circuitOpenUntil ~= circuitOpenUntil then
  s.version = math.max(s.version + 1, nowUs)
  redis.call('HSET', KEYS[1], 'version', int(s.version), 'pausedUntil', ms(s.pausedUntil),
    'rate', real(s.rate), 'circuitOpenUntil', ms(s.circuitOpenUntil))
  redis.call('PUBLISH', channel, cjson.encode({ kind = 'state', version = int(s.version),
    pausedUntil = ms(s.pausedUntil), rate = real(s.rate), circuitOpenUntil = ms(s.circuitOpenUntil) }))
end
return stateReply({}, s, now)
`;

/**
 * Counts sends in the window and live reservations, changing nothing.
 * KEYS: sent, reserved. ARGV: window ms, stale ms. Reply: sent, reserved.
 */
const WINDOW_USE = `${PRELUDE}
local now = clock()
local sent = redis.call('ZCOUNT', KEYS[1], '(' .. ms(now - tonumber(ARGV[1])), '+inf')
local reserved = redis.call('ZCOUNT', KEYS[2], '(' .. ms(now - tonumber(ARGV[2])), '+inf')
return { tostring(sent), tostring(reserved) }
`;

const COMMANDS = {
  sitescanLimiterAdmit: { lua: ADMIT, numberOfKeys: 3 },
  sitescanLimiterMarkSent: { lua: MARK_SENT, numberOfKeys: 2 },
  sitescanLimiterRelease: { lua: RELEASE, numberOfKeys: 1 },
  sitescanLimiterChangeState: { lua: CHANGE_STATE, numberOfKeys: 1 },
  sitescanLimiterWindowUse: { lua: WINDOW_USE, numberOfKeys: 2, readOnly: true },
} as const;

type CommandName = keyof typeof COMMANDS;
type ScriptCaller = Record<CommandName, (...args: (string | number)[]) => Promise<unknown>>;

/** Typed calls of a site limiter's scripts. */
export interface SiteLimiterScripts {
  admit(keys: SiteLimiterKeys, args: AdmitArgs): Promise<AdmitVerdict>;
  /** Resolves with the send time Redis recorded. */
  markSent(keys: SiteLimiterKeys, id: string, windowMs: number): Promise<number>;
  /** Resolves true when an unsent reservation was freed. */
  release(keys: SiteLimiterKeys, id: string): Promise<boolean>;
  changeState(keys: SiteLimiterKeys, change: StateChange, rule: RateRule): Promise<StateReply>;
  windowUse(keys: SiteLimiterKeys, windowMs: number, staleMs: number): Promise<WindowUse>;
}

/** Arguments of an admission. */
export interface AdmitArgs {
  readonly id: string;
  readonly requests: number;
  readonly windowMs: number;
  readonly staleMs: number;
  readonly configuredPerSec: number;
}

/**
 * The scripts of a site limiter on `redis`, defined on it once (EVALSHA, with ioredis loading a
 * script the server does not have yet).
 */
export function siteLimiterScripts(redis: Redis): SiteLimiterScripts {
  const target = redis as unknown as Partial<ScriptCaller>;
  for (const [name, definition] of Object.entries(COMMANDS)) {
    if (typeof target[name as CommandName] !== 'function') redis.defineCommand(name, definition);
  }
  const call = redis as unknown as ScriptCaller;
  return {
    async admit(keys, args) {
      const reply = strings(
        await call.sitescanLimiterAdmit(
          keys.sent,
          keys.reserved,
          keys.state,
          args.id,
          args.requests,
          args.windowMs,
          args.staleMs,
          args.configuredPerSec,
        ),
      );
      const { redisNow, state } = parseStateReply(reply.slice(3));
      if (reply[0] === '1') return { admitted: true, redisNow, state };
      return { admitted: false, waitMs: Number(reply[1]), reason: reply[2] as RefusalReason, redisNow, state };
    },
    async markSent(keys, id, windowMs) {
      return Number(await call.sitescanLimiterMarkSent(keys.sent, keys.reserved, id, windowMs, keys.channel));
    },
    async release(keys, id) {
      return (await call.sitescanLimiterRelease(keys.reserved, id, keys.channel)) === 1;
    },
    async changeState(keys, change, rule) {
      const arg =
        change.op === 'pushBack' || change.op === 'windowExhausted'
          ? change.pauseMs
          : change.op === 'openCircuit'
            ? change.forMs
            : undefined;
      const reply = await call.sitescanLimiterChangeState(
        keys.state,
        change.op,
        arg === undefined ? '' : arg,
        rule.configuredPerSec,
        rule.defaultPauseMs,
        rule.decrease,
        rule.increase,
        rule.floor,
        keys.channel,
      );
      return parseStateReply(strings(reply));
    },
    async windowUse(keys, windowMs, staleMs) {
      const [sent, reserved] = strings(await call.sitescanLimiterWindowUse(keys.sent, keys.reserved, windowMs, staleMs));
      return { sent: Number(sent), reserved: Number(reserved) };
    },
  };
}

/** Reads a message of a site's channel; undefined when it is not one of ours. */
export function parseLimiterSignal(message: string): LimiterSignal | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    // Not JSON: not a message of ours. The caller logs what it could not read.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (fields.kind === 'sent' && typeof fields.id === 'string') return { kind: 'sent', id: fields.id, at: Number(fields.at) };
  if (fields.kind === 'freed' && typeof fields.id === 'string') return { kind: 'freed', id: fields.id };
  if (fields.kind === 'state') {
    const state = {
      version: Number(fields.version),
      pausedUntil: Number(fields.pausedUntil),
      ratePerSec: Number(fields.rate),
      circuitOpenUntil: Number(fields.circuitOpenUntil),
    };
    if (Object.values(state).every(Number.isFinite)) return { kind: 'state', state };
  }
  return undefined;
}

function parseStateReply(fields: readonly string[]): StateReply {
  const [redisNow, version, pausedUntil, ratePerSec, circuitOpenUntil] = fields.map(Number);
  return {
    redisNow: redisNow!,
    state: { version: version!, pausedUntil: pausedUntil!, ratePerSec: ratePerSec!, circuitOpenUntil: circuitOpenUntil! },
  };
}

function strings(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new TypeError(`Expected a list from a limiter script, got ${JSON.stringify(reply)}`);
  return reply.map(String);
}
