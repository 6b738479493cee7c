'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/socket-events';

/** A typed socket to the hub. */
export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the page tells the reader about its live link. */
export type Connection = 'connecting' | 'live' | 'offline' | 'closed';

/**
 * Opens one Socket.IO connection while `enabled`, runs `setup` on it once (its listeners see
 * every (re)connect), and reports the connection's state. When the browser says it went offline
 * the socket is closed at once rather than after a ping timeout, and reopened when it is back;
 * subscribers resubscribe on `connect` and catch up by seq.
 */
export function useLiveSocket(enabled: boolean, setup: (socket: HubSocket) => (() => void) | void): Connection {
  const [connection, setConnection] = useState<Connection>(enabled ? 'connecting' : 'closed');
  const setupRef = useRef(setup);
  setupRef.current = setup;

  useEffect(() => {
    if (!enabled) {
      setConnection('closed');
      return;
    }
    const socket: HubSocket = io({ transports: ['websocket', 'polling'] });
    const teardown = setupRef.current(socket);
    socket.on('connect', () => setConnection('live'));
    socket.on('disconnect', () => setConnection('offline'));
    socket.on('connect_error', () => setConnection('offline'));
    const wentOffline = () => {
      setConnection('offline');
      socket.disconnect();
    };
    const cameOnline = () => {
      if (!socket.connected) {
        setConnection('connecting');
        socket.connect();
      }
    };
    window.addEventListener('offline', wentOffline);
    window.addEventListener('online', cameOnline);
    if (!navigator.onLine) wentOffline();
    return () => {
      window.removeEventListener('offline', wentOffline);
      window.removeEventListener('online', cameOnline);
      teardown?.();
      socket.close();
    };
  }, [enabled]);

  return connection;
}

/** The current time, updated every `intervalMs` while `active`. */
export function useNow(active: boolean, intervalMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
