import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterSignals } from './cluster-signals';
import { TestCluster } from './test-support';
import { withServices } from '../../scripts/testing/with-services';

/** Resolves with the next `count` messages given to the listener it hands out. */
function collector(count: number) {
  const messages: string[] = [];
  let done!: (messages: string[]) => void;
  const all = new Promise<string[]>((resolve) => (done = resolve));
  const listener = (message: string) => {
    messages.push(message);
    if (messages.length === count) done(messages);
  };
  return { listener, messages, all };
}

withServices('ClusterSignals', ['redis'], ({ redis: url }) => {
  let cluster: TestCluster;

  beforeEach(() => {
    cluster = new TestCluster(url);
  });

  afterEach(async () => {
    await cluster.dispose();
  });

  describe('ClusterSignals', () => {
    it('delivers what any node publishes to every listener of the channel, once subscribed', async () => {
      const a = cluster.node();
      const b = cluster.node();
      const channel = `${cluster.prefix}news`;
      const onA = collector(2);
      const onB = collector(2);
      await a.signals.subscribe(channel, onA.listener);
      await b.signals.subscribe(channel, onB.listener);

      expect(await a.signals.publish(channel, 'one')).toBe(2);
      await b.signals.publish(channel, 'two');
      expect(await onA.all).toEqual(['one', 'two']);
      expect(await onB.all).toEqual(['one', 'two']);
    });

    it('shares one Redis subscription among the listeners of a node, and ends it with the last', async () => {
      const node = cluster.node();
      const admin = cluster.connection();
      const channel = `${cluster.prefix}news`;
      const subscribers = async () => Number((await admin.pubsub('NUMSUB', channel))[1]);
      const first = collector(2);
      const second = collector(1);

      const [stopFirst, stopSecond] = await Promise.all([
        node.signals.subscribe(channel, first.listener),
        node.signals.subscribe(channel, second.listener),
      ]);
      expect(await subscribers()).toBe(1);
      await node.signals.publish(channel, 'both');
      await second.all;

      stopSecond();
      stopSecond();
      expect(await subscribers()).toBe(1);
      await node.signals.publish(channel, 'first only');
      expect(await first.all).toEqual(['both', 'first only']);
      expect(second.messages).toEqual(['both']);

      stopFirst();
      // UNSUBSCRIBE went out on the subscriber connection; a round-trip there has passed it.
      await node.signals.subscribe(`${cluster.prefix}other`, () => {});
      expect(await subscribers()).toBe(0);
    });

    it('keeps delivering to the other listeners when one throws', async () => {
      const node = cluster.node();
      const channel = `${cluster.prefix}news`;
      const after = collector(1);
      await node.signals.subscribe(channel, () => {
        throw new Error('listener bug');
      });
      await node.signals.subscribe(channel, after.listener);
      await node.signals.publish(channel, 'still here');
      expect(await after.all).toEqual(['still here']);
    });

    it('tells when its subscriber connection is back with its channels, after a drop', async () => {
      const subscriber = cluster.connection({ retryStrategy: () => 50 });
      const node = cluster.node({ subscriber });
      const admin = cluster.connection();
      const channel = `${cluster.prefix}news`;
      const messages = collector(1);
      // Asked before it subscribes: a subscribed connection takes no CLIENT command.
      const id = String(await subscriber.client('ID'));
      await node.signals.subscribe(channel, messages.listener);
      let resubscribed!: () => void;
      const back = new Promise<void>((resolve) => (resubscribed = resolve));
      node.signals.onResubscribed(() => resubscribed());

      await admin.client('KILL', 'ID', id);
      await back;
      await node.signals.publish(channel, 'after the drop');
      expect(await messages.all).toEqual(['after the drop']);
    });

    it('refuses new subscriptions once closed, and closes the connection it opened', async () => {
      const redis = cluster.connection();
      const signals = new ClusterSignals({ redis, logger: cluster.logger });
      await signals.subscribe(`${cluster.prefix}news`, () => {});
      await signals.close();
      await expect(signals.subscribe(`${cluster.prefix}news`, () => {})).rejects.toThrow(/closed/);
      expect(await redis.ping()).toBe('PONG');
    });
  });
});
