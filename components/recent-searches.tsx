'use client';

import { useCallback, useState } from 'react';
import { mergeRecent } from '@/lib/recent-list';
import { RECENT_LIMIT } from '@/lib/socket-events';
import type { SearchListItem } from '@/lib/types';
import { SearchList } from './search-list';
import { muted } from './ui';
import { useLiveSocket, type HubSocket } from './use-live-socket';

/**
 * The home page's recent searches, live: the list the server rendered, then each search as it
 * starts, counts its sites' answers and ends (`recent:subscribe`, `lib/recent-list.ts`).
 */
export function RecentSearches({ initial, label }: { initial: readonly SearchListItem[]; label: string }) {
  const [items, setItems] = useState(initial);
  const merge = useCallback((incoming: readonly SearchListItem[]) => setItems((current) => mergeRecent(current, incoming, RECENT_LIMIT)), []);

  useLiveSocket(true, (socket: HubSocket) => {
    // On every (re)connect: what was missed while away comes with the ack.
    const subscribe = () =>
      socket.emit('recent:subscribe', (answer) => {
        if (answer.ok) merge(answer.items);
      });
    socket.on('connect', subscribe);
    socket.on('recent:changed', merge);
    return () => {
      socket.off('connect', subscribe);
      socket.off('recent:changed', merge);
    };
  });

  if (items.length === 0) return <p className={`text-sm ${muted}`}>No searches yet.</p>;
  return <SearchList items={items} label={label} />;
}
