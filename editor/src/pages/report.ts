/** Show a failed call's reason in the message line (a 403 says why it was refused). */
import { ApiError } from '../api/client';
import { useUi } from '../stores/ui-store';

export const report = (err: unknown): void => useUi.getState().say(err instanceof ApiError ? err.message : String(err), 'error');

/** A short local time for tables: 2026-11-29 14:03:07. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
