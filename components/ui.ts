/**
 * Class names shared by the views, so cards, buttons and muted text look (and contrast) the same
 * everywhere in both themes. Muted text is slate-600 / slate-400: slate-500 fails WCAG AA on the
 * dark card background.
 */

/** A white (dark: slate-900) panel with a border. */
export const card = 'rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900';

/** Secondary text. */
export const muted = 'text-slate-600 dark:text-slate-400';

/** Section headings above cards and lists. */
export const eyebrow = 'text-sm font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400';

const button =
  'inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium shadow-sm disabled:cursor-not-allowed disabled:opacity-60';

/** The main action of a view. */
export const primaryButton = `${button} border border-transparent bg-sky-700 text-white hover:bg-sky-800 dark:bg-sky-600 dark:hover:bg-sky-500 dark:text-slate-950`;

/** Other actions. */
export const secondaryButton = `${button} border border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800`;

/** Actions that stop something. */
export const dangerButton = `${button} border border-red-300 bg-white text-red-800 hover:bg-red-50 dark:border-red-800 dark:bg-slate-900 dark:text-red-300 dark:hover:bg-red-950`;

/** Text inputs and selects. */
export const input =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-sm placeholder:text-slate-500 focus:border-sky-600 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100 dark:placeholder:text-slate-400';

/** Links inside text. */
export const link = 'font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400';
