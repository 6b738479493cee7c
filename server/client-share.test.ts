import { describe, expect, it } from 'vitest';
import { ClientShare } from './client-share';
import { OverloadedError } from './errors';

describe('ClientShare', () => {
  it('refuses a client at its share, counts each end once, and leaves other clients alone', () => {
    const share = new ClientShare(100);
    share.check('a');
    share.hold('s1', 'a', 41);
    share.hold('s2', 'a', 41);
    share.check('a'); // 82 < 100: one more may start, and pass the share by one search
    share.hold('s3', 'a', 41);
    expect(share.holding('a')).toBe(123);
    expect(() => share.check('a')).toThrow(OverloadedError);
    expect(() => share.check('a')).toThrow(/already has 123 site jobs.*its share of the dispatcher is 100/);
    share.check('b');
    expect(share.creatorOf('s2')).toBe('a');

    share.release('s2');
    share.release('s2');
    share.release('unknown');
    share.hold('s1', 'a', 41); // counted once
    expect(share.holding('a')).toBe(82);
    share.check('a');
    expect(share.creatorOf('s2')).toBeUndefined();
    share.release('s1');
    share.release('s3');
    expect(share.holding('a')).toBe(0);
  });

  it('refuses a share that is not a whole number of jobs', () => {
    expect(() => new ClientShare(0)).toThrow(/integer >= 1, got 0/);
  });
});
