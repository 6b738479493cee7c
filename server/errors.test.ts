import { describe, expect, it, vi } from 'vitest';
import * as errors from './errors';
import { ConflictError, NotFoundError, OverloadedError, SitescanError, SiteTimeoutError, ValidationError } from './errors';

/** A second copy of errors.ts, as Next's bundle of the route handlers has one. */
async function otherCopy(): Promise<typeof errors> {
  vi.resetModules();
  return import('./errors');
}

describe('sitescan errors', () => {
  it('are recognised by instanceof across two copies of the module', async () => {
    const other = await otherCopy();
    expect(other.NotFoundError).not.toBe(NotFoundError);

    const foreign = new other.NotFoundError('no search with id x');
    expect(foreign instanceof NotFoundError).toBe(true);
    expect(foreign instanceof SitescanError).toBe(true);
    expect(foreign instanceof ConflictError).toBe(false);
    expect(new NotFoundError('x') instanceof other.NotFoundError).toBe(true);
    expect(new other.OverloadedError('full', 1_000) instanceof ValidationError).toBe(false);
  });

  it('are not claimed by a look-alike: an Error named like one, or a value that is no error', () => {
    const lookAlike = Object.assign(new Error('no search'), { name: 'NotFoundError', code: 'not_found' });
    expect(lookAlike instanceof NotFoundError).toBe(false);
    expect(lookAlike instanceof SitescanError).toBe(false);
    for (const value of [undefined, null, 0, 'NotFoundError', {}]) expect(value instanceof NotFoundError).toBe(false);
  });

  it('name themselves in messages, stacks and logs', () => {
    const error = new SiteTimeoutError('yasabe.com', 4_000);
    expect(error.name).toBe('SiteTimeoutError');
    expect(String(error)).toBe('SiteTimeoutError: yasabe.com timed out after 4000 ms');
    expect(error.stack).toMatch(/^SiteTimeoutError: yasabe\.com timed out/);
    expect(new OverloadedError('full', 1)).toMatchObject({ name: 'OverloadedError', retryAfterMs: 1 });
  });

  it('each name their own class, so no two classes share a brand', () => {
    const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function');
    expect(classes.length).toBeGreaterThanOrEqual(11);
    for (const [exported, type] of classes) {
      expect(Object.hasOwn(type.prototype, 'name')).toBe(true);
      expect(type.prototype.name).toBe(exported);
    }
  });

  it('carry a validation code and cause when given, invalid_request otherwise', () => {
    const cause = new SyntaxError('Unexpected end of JSON input');
    const error = new ValidationError('body is not valid JSON', undefined, { code: 'invalid_json', cause });
    expect(error).toMatchObject({ code: 'invalid_json', cause });
    expect(new ValidationError('bad', { field: 'name' })).toMatchObject({ code: 'invalid_request', details: { field: 'name' } });
  });
});
