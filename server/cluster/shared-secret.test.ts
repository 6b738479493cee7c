import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withServices } from '../../scripts/testing/with-services';
import { sharedSecret } from './shared-secret';
import { TestCluster } from './test-support';

withServices('sharedSecret', ['redis'], ({ redis: url }) => {
  let cluster: TestCluster;
  beforeEach(() => {
    cluster = new TestCluster(url);
  });
  afterEach(async () => {
    await cluster.dispose();
  });

  describe('sharedSecret', () => {
    it('gives every node the first candidate offered, even when they ask at once', async () => {
      const key = `${cluster.prefix}owner-secret`;
      const candidates = ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)];
      const secrets = await Promise.all(candidates.map((candidate) => sharedSecret(cluster.connection(), key, candidate)));
      expect(new Set(secrets).size).toBe(1);
      expect(candidates).toContain(secrets[0]);
      expect(await sharedSecret(cluster.connection(), key, 'd'.repeat(32))).toBe(secrets[0]);
    });
  });
});
