/**
 * Cluster signals: one node's pub/sub on Redis, shared by everything on the node that waits for
 * news from the other nodes (a site's limiter, the scheduler).
 *
 *   node A ──PUBLISH (command connection, or a Lua script)──▶ Redis ──▶ subscriber connection of
 *                                                                      every node ──▶ listeners
 *
 * A connection that has subscribed can send nothing else, so each node keeps exactly one for
 * every channel it listens to, and publishes on its ordinary command connection.
 *
 * Example: three limiters of one node listen to `sitescan:limiter:{yelp.com}`; the first
 * `subscribe` sends SUBSCRIBE and resolves when Redis confirms it, the other two join it at
 * once. When the last of them unsubscribes, UNSUBSCRIBE is sent.
 *
 * Invariants:
 * - `subscribe` resolves only once Redis delivers the channel's messages to this node: whatever
 *   is published after that reaches the listener (what a reader of shared state needs before it
 *   reads, so that no change falls between its read and its first message).
 * - Messages published while the subscriber connection was down are lost; listeners of
 *   `onResubscribed` hear when it is back and its channels are subscribed again, so they can
 *   read what they missed.
 * - A listener that throws is logged and does not stop the others.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Receives one message of a channel. */
export type SignalListener = (message: string) => void;

/** Options of the cluster signals. */
export interface ClusterSignalsOptions {
  /** The node's command connection: publishes. */
  readonly redis: Redis;
  /**
   * The node's one subscriber connection. Default: a duplicate of `redis`, opened here and
   * closed by `close()`. One given here is not closed by `close()`.
   */
  readonly subscriber?: Redis;
  readonly logger: Logger;
}

interface Channel {
  readonly listeners: Set<SignalListener>;
  /** Resolves when Redis confirmed the subscription. */
  readonly subscribed: Promise<void>;
}

/** One node's subscriptions to channels on Redis, and its publishing. */
export class ClusterSignals {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly ownsSubscriber: boolean;
  private readonly logger: Logger;
  private readonly channels = new Map<string, Channel>();
  private readonly resubscribedListeners = new Set<() => void>();
  /** The subscriber connection dropped since it was last ready: messages may have been lost. */
  private lost = false;
  private closed = false;

  constructor(options: ClusterSignalsOptions) {
    this.redis = options.redis;
    this.ownsSubscriber = options.subscriber === undefined;
    this.subscriber = options.subscriber ?? options.redis.duplicate();
    this.logger = options.logger.child({ module: 'cluster-signals' });
    this.subscriber.on('message', this.deliver);
    this.subscriber.on('close', this.dropped);
    this.subscriber.on('ready', this.reconnected);
  }

  /**
   * Calls `listener` with every message of `channel` from now on. Resolves, once Redis has
   * confirmed the subscription, with the function that ends it.
   */
  async subscribe(channel: string, listener: SignalListener): Promise<() => void> {
    if (this.closed) throw new Error(`cannot subscribe to ${channel}: the cluster signals are closed`);
    let entry = this.channels.get(channel);
    if (!entry) {
      const subscribed = this.subscriber.subscribe(channel).then(() => undefined);
      entry = { listeners: new Set(), subscribed };
      this.channels.set(channel, entry);
      // Another subscriber may await the same confirmation; a failure is reported to each of them.
      subscribed.catch(() => {
        if (this.channels.get(channel) === entry) this.channels.delete(channel);
      });
    }
    // A listener object may subscribe twice; each subscription gets its own identity.
    const own: SignalListener = (message) => listener(message);
    entry.listeners.add(own);
    await entry.subscribed;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.leave(channel, own);
    };
  }

  /** Publishes `message` on `channel` for every node; resolves with how many connections got it. */
  publish(channel: string, message: string): Promise<number> {
    return this.redis.publish(channel, message);
  }

  /**
   * Calls `listener` each time the subscriber connection is back after a drop, with its channels
   * subscribed again: messages of the gap are lost, so a listener re-reads what it keeps.
   * Returns the function that stops it.
   */
  onResubscribed(listener: () => void): () => void {
    this.resubscribedListeners.add(listener);
    return () => this.resubscribedListeners.delete(listener);
  }

  /** Ends every subscription; closes the subscriber connection when it was opened here. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    this.resubscribedListeners.clear();
    this.subscriber.off('message', this.deliver);
    this.subscriber.off('close', this.dropped);
    this.subscriber.off('ready', this.reconnected);
    if (this.ownsSubscriber) {
      await this.subscriber.quit().catch((error: unknown) => {
        // The connection may already be gone; there is nothing left to release.
        this.logger.debug({ err: error }, 'subscriber connection did not quit cleanly');
      });
    }
  }

  private leave(channel: string, listener: SignalListener): void {
    const entry = this.channels.get(channel);
    if (!entry?.listeners.delete(listener) || entry.listeners.size > 0) return;
    this.channels.delete(channel);
    // Commands on one connection run in order: a later SUBSCRIBE to this channel follows this.
    this.subscriber.unsubscribe(channel).catch((error: unknown) => {
      this.logger.warn({ err: error, channel }, 'unsubscribe failed');
    });
  }

  private readonly deliver = (channel: string, message: string): void => {
    const entry = this.channels.get(channel);
    if (!entry) return;
    for (const listener of entry.listeners) {
      try {
        listener(message);
      } catch (error) {
        this.logger.error({ err: error, channel }, 'a signal listener threw');
      }
    }
  };

  private readonly dropped = (): void => {
    this.lost = true;
  };

  private readonly reconnected = (): void => {
    if (!this.lost || this.closed) return;
    this.lost = false;
    // ioredis sends its SUBSCRIBE again right after 'ready' (autoResubscribe); a PING sent after
    // it on the same connection answers once those subscriptions are in place.
    setImmediate(() => {
      this.subscriber.ping().then(
        () => {
          for (const listener of this.resubscribedListeners) {
            try {
              listener();
            } catch (error) {
              this.logger.error({ err: error }, 'a resubscribed listener threw');
            }
          }
        },
        (error: unknown) => this.logger.warn({ err: error }, 'subscriber connection lost again before it resubscribed'),
      );
    });
  };
}
