'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { businessQuerySchema } from '@/lib/schemas';
import { readErrorMessage } from './read-error-message';
import { input, muted, primaryButton } from './ui';

type Field = 'name' | 'location' | 'phone';

const inputClass = `mt-1 ${input}`;
const errorClass = 'mt-1 text-sm text-red-800 dark:text-red-300';

/** A field's text; '' when the form lacks it (every field here is a text input, never a file). */
function textOf(form: FormData, field: Field): string {
  const value = form.get(field);
  return typeof value === 'string' ? value : '';
}

/** One labelled input with its error, tied together for screen readers. */
function TextField({
  field,
  label,
  optional = false,
  error,
  ...inputProps
}: { field: Field; label: string; optional?: boolean; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div>
      <label htmlFor={field} className="block text-sm font-medium">
        {label}
        {optional && <span className={`font-normal ${muted}`}> (optional)</span>}
      </label>
      <input
        id={field}
        name={field}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${field}-error` : undefined}
        className={inputClass}
        {...inputProps}
      />
      {error && (
        <p id={`${field}-error`} className={errorClass}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The search form: validates as the API does, starts a search and opens its result page. */
export function SearchForm() {
  const router = useRouter();
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [submitting, setSubmitting] = useState(false);

  // Shows its own failure in the form and never rejects, so the form starts it and lets it run.
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: textOf(form, 'name'),
      location: textOf(form, 'location'),
      phone: textOf(form, 'phone'),
    };
    const parsed = businessQuerySchema.safeParse(input);
    if (!parsed.success) {
      const next: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) next[issue.path[0] as Field] ??= issue.message;
      setErrors(next);
      const first = (['name', 'location', 'phone'] as const).find((field) => next[field]);
      if (first) (event.currentTarget.elements.namedItem(first) as HTMLInputElement | null)?.focus();
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const response = await fetch('/api/searches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(parsed.data),
      });
      if (!response.ok) {
        setErrors({ form: `Could not start the search: ${await readErrorMessage(response)}` });
        setSubmitting(false);
        return;
      }
      const body = (await response.json()) as { url: string };
      router.push(body.url);
    } catch (error) {
      setErrors({ form: `Could not reach sitescan: ${(error as Error).message}` });
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate className="mt-6 space-y-4" aria-describedby={errors.form ? 'form-error' : undefined}>
      <TextField field="name" label="Business name" error={errors.name} required autoComplete="organization" placeholder="e.g. Blue Door Bakery" />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField field="location" label="Location" optional error={errors.location} autoComplete="address-level2" placeholder="City, state or ZIP" />
        <TextField field="phone" label="Phone" optional error={errors.phone} type="tel" autoComplete="tel" placeholder="(512) 555-0134" />
      </div>
      {errors.form && (
        <p id="form-error" role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-200">
          {errors.form}
        </p>
      )}
      <button
        type="submit"
        disabled={submitting}
        className={`${primaryButton} px-5 py-2 text-base`}
      >
        {submitting ? 'Starting…' : 'Search'}
      </button>
    </form>
  );
}
