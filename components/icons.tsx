import type { ReactNode } from 'react';

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
      {children}
    </svg>
  );
}

/** Two sheets: copy. */
export const CopyIcon = () => (
  <Icon>
    <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
    <path d="M10.5 5.5v-2a1.5 1.5 0 0 0-1.5-1.5H4A1.5 1.5 0 0 0 2.5 3.5V9A1.5 1.5 0 0 0 4 10.5h1.5" />
  </Icon>
);

/** An arrow into a tray: download. */
export const DownloadIcon = () => (
  <Icon>
    <path d="M8 2.5v7.5M4.75 6.75 8 10l3.25-3.25M2.5 12.5v1h11v-1" />
  </Icon>
);

/** A circle with a bar: stop. */
export const StopIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="5.75" />
    <path d="M4 12 12 4" />
  </Icon>
);

/** A circular arrow: again. */
export const AgainIcon = () => (
  <Icon>
    <path d="M13.25 8A5.25 5.25 0 1 1 11.7 4.3" />
    <path d="M13.25 2.5v3.25H10" />
  </Icon>
);
