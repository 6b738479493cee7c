import { useLayoutEffect, useRef, useState, type RefObject, type UIEvent } from 'react';

/** Height of one log line in px (Tailwind `h-6`); the window arithmetic relies on it. */
export const LOG_ROW_PX = 24;
/** Lines visible at once (the scroller is `h-96`, 384 px). */
const VISIBLE_ROWS = 16;
/** Lines rendered above and below the visible ones, so fast scrolling shows no blank. */
const OVERSCAN = 10;

/** Which lines of a scrolled log to render, and whether the log follows new lines. */
export interface LogWindow {
  /** The scrolling element; pinned to its bottom while following. */
  readonly scroller: RefObject<HTMLDivElement | null>;
  /** The scroller's scroll handler: moves the window, and follows only while at the bottom. */
  readonly onScroll: (event: UIEvent<HTMLDivElement>) => void;
  /** True while the reader is at the bottom, so new lines scroll into view. */
  readonly following: boolean;
  /** Goes back to the bottom and follows new lines again. */
  readonly follow: () => void;
  /** Position of the first line to render (0-based). */
  readonly start: number;
  /** Position after the last line to render; at most `total`. */
  readonly end: number;
}

/**
 * Virtual scrolling for a log of `total` lines of `LOG_ROW_PX` each: only the lines in view and
 * `OVERSCAN` on either side are rendered. The log follows new lines while the reader is at the
 * bottom and stops when they scroll up.
 */
export function useLogWindow(total: number): LogWindow {
  const [scrollTop, setScrollTop] = useState(0);
  const [following, setFollowing] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [following, total]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    setScrollTop(element.scrollTop);
    setFollowing(element.scrollTop + element.clientHeight >= element.scrollHeight - LOG_ROW_PX / 2);
  };

  // While following, the window is the last lines: scrollTop state lags the layout effect by a frame.
  const firstVisible = following ? Math.max(0, total - VISIBLE_ROWS) : Math.floor(scrollTop / LOG_ROW_PX);
  const start = Math.max(0, firstVisible - OVERSCAN);
  const end = Math.min(total, firstVisible + VISIBLE_ROWS + OVERSCAN);
  return { scroller, onScroll, following, follow: () => setFollowing(true), start, end };
}
