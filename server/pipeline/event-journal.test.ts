import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../store/store';
import { EventJournal, readJournal } from './event-journal';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sitescan-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function events(searchId: string, from: number, count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({ searchId, seq: from + i, at: 1_000 + from + i, type: 'site:started', siteId: 'a.com', data: { attempt: 1 } }));
}

const segments = () => readdirSync(dir).sort();
const readJournalOf = (name: string) => readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean).length;

describe('EventJournal', () => {
  it('holds what was appended, in order, for the next process to read', () => {
    const journal = new EventJournal(dir);
    journal.append(events('A', 1, 3));
    journal.append(events('B', 1, 2));
    // No close: as after a kill -9.
    const read = readJournal(dir);
    expect(read.events.map((e) => `${e.searchId}#${e.seq}`)).toEqual(['A#1', 'A#2', 'A#3', 'B#1', 'B#2']);
    expect(read.events[0]).toEqual(events('A', 1, 1)[0]);
    expect(read.unreadable).toBe(0);
    expect(journal.position).toBe(5);
  });

  it('skips a last line cut off by a crash, and counts it', () => {
    const journal = new EventJournal(dir);
    journal.append(events('A', 1, 2));
    appendFileSync(path.join(dir, segments()[0]!), '{"searchId":"A","seq":3,"at":10');
    const read = readJournal(dir);
    expect(read.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(read.unreadable).toBe(1);
  });

  it('starts a new segment after the ones a previous process left, and discards those only when told', () => {
    new EventJournal(dir).append(events('A', 1, 2));
    const next = new EventJournal(dir);
    expect(segments()).toEqual(['events-000001.jsonl', 'events-000002.jsonl']);
    next.append(events('A', 3, 1));
    expect(readJournal(dir).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    next.discardOlder();
    expect(segments()).toEqual(['events-000002.jsonl']);
    expect(readJournal(dir).events.map((e) => e.seq)).toEqual([3]);
  });

  it('deletes a closed segment only once the store holds every event in it', () => {
    const journal = new EventJournal(dir, { segmentBytes: 1_000 });
    for (let i = 0; i < 10; i++) journal.append(events('A', 1 + i * 5, 5));
    const before = segments();
    expect(before.length).toBeGreaterThan(2);
    const inFirst = readJournalOf(before[0]!);
    journal.release(inFirst - 1);
    expect(segments()).toEqual(before);
    journal.release(inFirst);
    expect(segments()).toEqual(before.slice(1));
    expect(readJournal(dir).events[0]!.seq).toBe(inFirst + 1);
    // All held: every closed segment goes; the open one is emptied only once it is large.
    journal.release(50);
    expect(segments()).toEqual([before.at(-1)]);
  });

  it('keeps everything the store has not confirmed at close, and nothing once it has', () => {
    const kept = new EventJournal(dir);
    kept.append(events('A', 1, 4));
    kept.release(3);
    kept.close();
    expect(readJournal(dir).events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    const next = new EventJournal(dir);
    next.discardOlder();
    next.append(events('B', 1, 2));
    next.release(2);
    next.close();
    expect(segments()).toEqual([]);
  });

  it('empties a large segment once the store holds all of it', () => {
    const journal = new EventJournal(dir);
    const big = events('A', 1, 12_000);
    journal.append(big);
    const file = path.join(dir, segments()[0]!);
    expect(statSync(file).size).toBeGreaterThan(1024 * 1024);
    journal.release(11_999);
    expect(statSync(file).size).toBeGreaterThan(0);
    journal.release(12_000);
    expect(statSync(file).size).toBe(0);
    journal.append(events('A', 12_001, 1));
    expect(readJournal(dir).events.map((e) => e.seq)).toEqual([12_001]);
  });

  it('throws when the write fails, and reports nothing appended', () => {
    const journal = new EventJournal(dir);
    journal.close();
    expect(() => journal.append(events('A', 1, 1))).toThrow();
    expect(journal.position).toBe(0);
  });

  it('ignores files that are not its segments', () => {
    writeFileSync(path.join(dir, 'notes.txt'), 'not json\n');
    new EventJournal(dir).append(events('A', 1, 1));
    expect(readJournal(dir)).toEqual({ events: events('A', 1, 1), unreadable: 0 });
  });
});
