/**
 * A secret every node of a cluster uses alike, made by whichever node asks first: each node offers
 * a random candidate, Redis keeps the first (`SET NX`), and every node reads back that one.
 *
 *   node A: SET k candA NX → OK,  GET k → candA
 *   node B: SET k candB NX → nil, GET k → candA     (both sign owner capabilities with candA)
 *
 * The owner capabilities (`http/ownership.ts`) are signed with it, so a search started on one
 * node is cancelled with its token on any other. The key never expires: a restarted cluster keeps
 * honouring the tokens of the searches it holds.
 */
import type { Redis } from 'ioredis';

/** Where the cluster keeps the secret of the owner capabilities. */
export const OWNER_SECRET_KEY = 'sitescan:owner-secret';

/** The secret under `key`: `candidate` if no node set one before. */
export async function sharedSecret(redis: Redis, key: string, candidate: string): Promise<string> {
  await redis.set(key, candidate, 'NX');
  return (await redis.get(key)) ?? candidate;
}
