import { afterEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, SiteRateLimitedError, TransientSiteError } from '../errors';
import { SiteCircuit } from './site-circuit';

const circuits: SiteCircuit[] = [];
afterEach(() => {
  for (const circuit of circuits.splice(0)) circuit.close();
});

function circuit(resetTimeout = 100): SiteCircuit {
  const c = new SiteCircuit({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout });
  circuits.push(c);
  return c;
}

const fail = () => Promise.reject(new TransientSiteError('x', 'answered 502'));

describe('SiteCircuit', () => {
  it('opens after a run of site faults and then refuses at once', async () => {
    const c = circuit();
    for (let i = 0; i < 3; i++) await expect(c.run(fail)).rejects.toThrow('502');
    expect(c.state).toBe('open');
    let called = false;
    await expect(
      c.run(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
  });

  it('closes again when the probe after resetTimeout succeeds', async () => {
    const c = circuit(50);
    for (let i = 0; i < 3; i++) await expect(c.run(fail)).rejects.toThrow();
    expect(c.state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(c.state).toBe('half-open');
    expect(await c.run(async () => 'ok')).toBe('ok');
    expect(c.state).toBe('closed');
  });

  it('does not count push-back or aborts as faults', async () => {
    const c = circuit();
    for (let i = 0; i < 5; i++) {
      await expect(c.run(() => Promise.reject(new SiteRateLimitedError('x', 429, 1000)))).rejects.toThrow();
      await expect(c.run(() => Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' })))).rejects.toThrow();
    }
    expect(c.state).toBe('closed');
  });
});
