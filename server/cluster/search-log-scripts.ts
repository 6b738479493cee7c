/**
 * The Lua scripts of the cluster's search log. Each runs atomically on Redis, so the state of a
 * search and its numbered events change together whichever node calls them: one script numbers
 * an event and appends it, ends a job at most once, and ends the search when its last job ends.
 *
 * Keys of one search `<id>` (prefix `sitescan:`):
 *   s:<id>        hash  status · total · found · partial · notFound · failed · skipped · cancelled · seq
 *   s:<id>:sites  list  the site ids in the search's order
 *   s:<id>:open   set   site ids whose job has not ended
 *   s:<id>:jobs   hash  <site>:a attempts so far · <site>:t first start (ms), for the end events
 *   s:<id>:log    list  the events, JSON, seq n at index n − 1
 * and, shared: `running` (set of running search ids), `persist` (stream of searches to write to
 * the store), channel `search-ended` (a search id, when one ends).
 *
 * An event is appended as the JSON its node sent, with `seq` and `at` (Redis's clock) put in
 * front; the scripts never decode it, so what a node emits is stored to the byte.
 */

/** The KEYS of every script, in order. */
export const SEARCH_KEY_NAMES = ['search', 'sites', 'open', 'jobs', 'log', 'running', 'persist'] as const;

const COMMON = `
local search, sites, open, jobs, log, running, persist = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Numbers the event whose JSON lacks its opening brace, appends it, returns it whole.
local function append(tail)
  local seq = redis.call('HINCRBY', search, 'seq', 1)
  local json = '{"seq":' .. string.format('%d', seq) .. ',"at":' .. string.format('%d', now_ms()) .. ',' .. tail
  redis.call('RPUSH', log, json)
  return json
end

local function count(field)
  return tonumber(redis.call('HGET', search, field) or '0')
end

local function summary()
  return '{"total":' .. count('total') .. ',"found":' .. count('found') .. ',"partial":' .. count('partial') ..
    ',"notFound":' .. count('notFound') .. ',"failed":' .. count('failed') .. ',"skipped":' .. count('skipped') ..
    ',"cancelled":' .. count('cancelled') .. ',"open":' .. redis.call('SCARD', open) .. '}'
end

-- Ends the search: status, its last event, the store's queue, the other nodes' news.
local function close(status, type, search_id, channel, ttl_ms)
  redis.call('HSET', search, 'status', status)
  local json = append('"type":"' .. type .. '","data":{"summary":' .. summary() .. '}}')
  redis.call('SREM', running, search_id)
  redis.call('DEL', open)
  redis.call('XADD', persist, '*', 'id', search_id)
  redis.call('PUBLISH', channel, search_id)
  for _, key in ipairs({search, sites, jobs, log}) do redis.call('PEXPIRE', key, ttl_ms) end
  return json
end
`;

/**
 * Creates a search. ARGV: id, total, ttlMs, the created event's JSON tail, site ids… Returns the
 * created event, or nil when the id exists.
 */
export const CREATE_SCRIPT = `${COMMON}
if redis.call('EXISTS', search) == 1 then return nil end
local id, total, ttl_ms, tail = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', search, 'status', 'running', 'total', total, 'seq', 0)
for i = 5, #ARGV do
  redis.call('RPUSH', sites, ARGV[i])
  redis.call('SADD', open, ARGV[i])
end
local json = append(tail)
redis.call('SADD', running, id)
for _, key in ipairs({search, sites, open, jobs, log}) do redis.call('PEXPIRE', key, ttl_ms) end
return json
`;

/**
 * Records a transition of an open job. ARGV: site id, the event's JSON tail, attempt (0 when the
 * event is not a start). Returns the event, or nil when the search or the job has ended.
 */
export const RECORD_SCRIPT = `${COMMON}
local site, tail, attempt = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HGET', search, 'status') ~= 'running' then return nil end
if redis.call('SISMEMBER', open, site) == 0 then return nil end
if attempt > 0 then
  redis.call('HSET', jobs, site .. ':a', attempt)
  redis.call('HSETNX', jobs, site .. ':t', now_ms())
end
return append(tail)
`;

/**
 * Ends an open job, and the search with it when it was the last. ARGV: site id, the event's JSON
 * tail, the summary field it counts in, search id, channel, ttl after the end (ms). Returns the
 * events appended (none when the job had already ended).
 */
export const FINISH_SCRIPT = `${COMMON}
local site, tail, field, search_id, channel, ttl_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('HGET', search, 'status') ~= 'running' then return {} end
if redis.call('SREM', open, site) == 0 then return {} end
redis.call('HINCRBY', search, field, 1)
local out = { append(tail) }
if redis.call('SCARD', open) == 0 then
  out[2] = close('completed', 'search:completed', search_id, channel, ttl_ms)
end
return out
`;

/**
 * Ends a running search from outside its jobs. ARGV: why (deadline | cancel | shutdown), search
 * id, channel, ttl after the end (ms). Every open job ends first, in the search's site order:
 * cancelled, or failed with reason deadline / interrupted. Returns the events appended (none
 * when the search had already ended).
 */
export const END_SCRIPT = `${COMMON}
local why, search_id, channel, ttl_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', search, 'status') ~= 'running' then return {} end
local out = {}
local now = now_ms()
for _, site in ipairs(redis.call('LRANGE', sites, 0, -1)) do
  if redis.call('SISMEMBER', open, site) == 1 then
    local attempt = tonumber(redis.call('HGET', jobs, site .. ':a') or '0')
    local head = '"type":"site:' .. (why == 'cancel' and 'cancelled' or 'failed') .. '","siteId":"' .. site .. '","data":{"attempt":' .. attempt
    if why == 'cancel' then
      redis.call('HINCRBY', search, 'cancelled', 1)
      out[#out + 1] = append(head .. '}}')
    else
      redis.call('HINCRBY', search, 'failed', 1)
      local reason = why == 'deadline' and 'deadline' or 'interrupted'
      local first = redis.call('HGET', jobs, site .. ':t')
      local latency = first and (',"latencyMs":' .. string.format('%d', now - tonumber(first))) or ''
      out[#out + 1] = append(head .. ',"reason":"' .. reason .. '"' .. latency .. '}}')
    end
    redis.call('SREM', open, site)
  end
end
local status = why == 'deadline' and 'completed' or (why == 'cancel' and 'cancelled' or 'interrupted')
out[#out + 1] = close(status, 'search:' .. status, search_id, channel, ttl_ms)
return out
`;
