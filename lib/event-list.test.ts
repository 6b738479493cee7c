import { describe, expect, it } from 'vitest';
import { EventList } from './event-list';
import type { SearchEvent } from './types';

const event = (seq: number): SearchEvent => ({ seq, at: 1000 + seq, type: 'site:started', siteId: 'a.com', data: { attempt: 1 } });

describe('EventList', () => {
  it('appends without changing the list it was appended to', () => {
    const a = EventList.from([event(1), event(2)]);
    const b = a.append(event(3));
    expect(a.length).toBe(2);
    expect(a.last?.seq).toBe(2);
    expect(a.at(2)).toBeUndefined();
    expect(b.toArray().map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(b.at(-1)?.seq).toBe(3);
  });

  it('branches from an older list by copying, leaving the newer one intact', () => {
    const a = EventList.from([event(1)]);
    const b = a.append(event(2));
    const c = a.append(event(9));
    expect(b.toArray().map((e) => e.seq)).toEqual([1, 2]);
    expect(c.toArray().map((e) => e.seq)).toEqual([1, 9]);
    expect([...b.append(event(3))].map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(c.toArray().map((e) => e.seq)).toEqual([1, 9]);
  });

  it('shares the buffer when the same event is appended twice to one list (a replayed reducer)', () => {
    const a = EventList.empty();
    const e1 = event(1);
    const first = a.append(e1);
    const replay = a.append(e1);
    expect(replay.toArray()).toEqual(first.toArray());
    expect(first.append(event(2)).length).toBe(2);
    expect(replay.length).toBe(1);
  });

  it('keeps each list its own prefix over ten thousand appends to one buffer', () => {
    let list = EventList.empty();
    const lists: EventList[] = [];
    for (let seq = 1; seq <= 10_000; seq++) {
      list = list.append(event(seq));
      if (seq % 2500 === 0) lists.push(list);
    }
    // Every list kept its own prefix although all share one buffer.
    expect(lists.map((l) => [l.length, l.last?.seq])).toEqual([
      [2500, 2500],
      [5000, 5000],
      [7500, 7500],
      [10_000, 10_000],
    ]);
    expect(list.slice(9_998).map((e) => e.seq)).toEqual([9_999, 10_000]);
    expect(JSON.parse(JSON.stringify(lists[0]))).toHaveLength(2500);
  });
});
