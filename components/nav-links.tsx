'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Search', match: (path: string) => path === '/' || path.startsWith('/s/') },
  { href: '/history', label: 'History', match: (path: string) => path.startsWith('/history') },
  { href: '/sites', label: 'Sites', match: (path: string) => path.startsWith('/sites') },
  { href: '/bulk', label: 'Bulk', match: (path: string) => path.startsWith('/bulk') },
];

/** The main navigation; the current view is marked with `aria-current` and an underline, not colour alone. */
export function NavLinks() {
  const path = usePathname() ?? '/';
  return (
    <ul className="flex items-center gap-1 sm:gap-2">
      {LINKS.map(({ href, label, match }) => {
        const current = match(path);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={current ? 'page' : undefined}
              className={`block rounded-md px-2 py-1.5 text-sm font-medium underline-offset-[6px] sm:px-3 ${
                current
                  ? 'text-slate-900 underline decoration-sky-600 decoration-2 dark:text-white dark:decoration-sky-400'
                  : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white'
              }`}
            >
              {label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
