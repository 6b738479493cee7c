'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { businessQuerySchema } from '@/lib/schemas';
import { describeFailure } from './search-actions';
import { input, muted, primaryButton } from './ui';

type Field = 'name' | 'location' | 'phone';

const inputClass = `mt-1 ${input}`;
const errorClass = 'mt-1 text-sm text-red-800 dark:text-red-300';

/** The search form: validates as the API does, starts a search and opens its result page. */
export function SearchForm() {
  const router = useRouter();
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [submitting, setSubmitting] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: String(form.get('name') ?? ''),
      location: String(form.get('location') ?? ''),
      phone: String(form.get('phone') ?? ''),
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
        setErrors({ form: `Could not start the search: ${await describeFailure(response)}` });
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

  const describedBy = (field: Field) => (errors[field] ? `${field}-error` : undefined);

  return (
    <form onSubmit={onSubmit} noValidate className="mt-6 space-y-4" aria-describedby={errors.form ? 'form-error' : undefined}>
      <div>
        <label htmlFor="name" className="block text-sm font-medium">
          Business name
        </label>
        <input
          id="name"
          name="name"
          required
          autoComplete="organization"
          placeholder="e.g. Blue Door Bakery"
          aria-invalid={Boolean(errors.name)}
          aria-describedby={describedBy('name')}
          className={inputClass}
        />
        {errors.name && (
          <p id="name-error" className={errorClass}>
            {errors.name}
          </p>
        )}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor="location" className="block text-sm font-medium">
            Location <span className={`font-normal ${muted}`}>(optional)</span>
          </label>
          <input
            id="location"
            name="location"
            placeholder="City, state or ZIP"
            autoComplete="address-level2"
            aria-invalid={Boolean(errors.location)}
            aria-describedby={describedBy('location')}
            className={inputClass}
          />
          {errors.location && (
            <p id="location-error" className={errorClass}>
              {errors.location}
            </p>
          )}
        </div>
        <div>
          <label htmlFor="phone" className="block text-sm font-medium">
            Phone <span className={`font-normal ${muted}`}>(optional)</span>
          </label>
          <input
            id="phone"
            name="phone"
            type="tel"
            autoComplete="tel"
            placeholder="(512) 555-0134"
            aria-invalid={Boolean(errors.phone)}
            aria-describedby={describedBy('phone')}
            className={inputClass}
          />
          {errors.phone && (
            <p id="phone-error" className={errorClass}>
              {errors.phone}
            </p>
          )}
        </div>
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
