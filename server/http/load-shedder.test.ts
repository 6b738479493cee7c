import { describe, expect, it } from 'vitest';
import { LoadShedder } from './load-shedder';

describe('LoadShedder', () => {
  it('takes searches while the loop keeps up, sheds them when it lags, says why', () => {
    let lag = 20;
    const shedder = new LoadShedder({ maxLagMs: 200, lagSource: () => lag });
    expect(shedder.shedReason()).toBeUndefined();
    lag = 350;
    expect(shedder.shedReason()).toBe('event loop delay p99 350 ms (limit 200 ms)');
    shedder.close();
  });

  it('ignores a lone lag spike while the process is not busy', () => {
    let busy = false;
    const shedder = new LoadShedder({ maxLagMs: 100, lagSource: () => 400, busy: () => busy });
    expect(shedder.shedReason()).toBeUndefined();
    busy = true;
    expect(shedder.shedReason()).toBe('event loop delay p99 400 ms (limit 100 ms)');
    shedder.close();
  });

  it('sheds when too many requests are in progress', () => {
    const shedder = new LoadShedder({ maxRequestsInProgress: 2, lagSource: () => 0 });
    shedder.requestsInProgress = 3;
    expect(shedder.shedReason()).toBe('3 requests in progress (limit 2)');
    shedder.requestsInProgress = 2;
    expect(shedder.shedReason()).toBeUndefined();
    shedder.close();
  });

  it('lets new searches in at the admission rate, and says when to come back', () => {
    const shedder = new LoadShedder({ lagSource: () => 0, admission: { initialPerSec: 8, minBurst: 2 } });
    const decisions = Array.from({ length: 4 }, () => shedder.admitSearch());
    expect(decisions.slice(0, 2)).toEqual([undefined, undefined]);
    expect(decisions[2]).toMatchObject({ reason: 'admission rate 8 searches/s reached', retryAfterMs: 1_000 });
    // A bulk run is held only by the hard limits.
    expect(shedder.admitBulk()).toBeUndefined();
    shedder.close();
  });

  it('cuts the admission rate when windows end lagging with work in hand', () => {
    const shedder = new LoadShedder({ lagSource: () => 0, admission: { initialPerSec: 100 } });
    shedder.windowEnded(200);
    shedder.windowEnded(200);
    expect(shedder.admission.perSec).toBe(70);
    shedder.close();
  });
});

