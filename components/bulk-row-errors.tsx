import type { RowError } from './bulk-run';
import { card, muted } from './ui';

/** The rows of a bulk upload that were not started, as an alert and a table of line and reason. */
export function BulkRowErrors({ errors }: { errors: readonly RowError[] }) {
  return (
    <div className={`${card} border-red-200 dark:border-red-900`}>
      <p role="alert" className="px-4 pt-3 text-sm font-medium text-red-900 dark:text-red-200">
        {errors.length} {errors.length === 1 ? 'row was' : 'rows were'} not started
      </p>
      <table className="mt-2 w-full text-sm">
        <caption className="sr-only">Rows not started</caption>
        <thead className={`text-left text-xs uppercase tracking-wide ${muted}`}>
          <tr>
            <th scope="col" className="w-20 px-3 py-1 sm:px-4">Line</th>
            <th scope="col" className="px-3 py-1">Reason</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((error) => (
            <tr key={`${error.line}:${error.message}`} className="border-t border-slate-100 dark:border-slate-800">
              <td className="px-3 py-1.5 tabular-nums sm:px-4">{error.line}</td>
              <td className="break-words px-3 py-1.5">{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
