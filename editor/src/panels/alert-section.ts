/** Changes to the document's `alerts` section from the alert forms (alert-rules-form.tsx, alert-targets-form.tsx). */
import type { AlertsSection, Diagnostic, PipelineDocument } from '@sluice/shared';
import { useDocument } from '../stores/document-store';

export function changeAlerts(fn: (a: AlertsSection) => AlertsSection): void {
  useDocument.getState().change((d: PipelineDocument) => {
    const next = fn(d.alerts ?? { rules: [] });
    const { alerts: _old, ...rest } = d;
    // An empty section is no section: the document stays as it was before the first rule.
    return next.rules.length === 0 && (next.targets ?? []).length === 0 ? rest : { ...rest, alerts: next };
  });
}

/** `<stem>_1`, `<stem>_2`, ...: the first not taken. */
export function freeId(taken: readonly { id: string }[], stem: string): string {
  const ids = new Set(taken.map((x) => x.id));
  let i = 1;
  while (ids.has(`${stem}_${i}`)) i++;
  return `${stem}_${i}`;
}

/** The validator's problems at `at` (`alerts.rules[0]`) or under it. */
export const problemsUnder = (diagnostics: readonly Diagnostic[], at: string): Diagnostic[] =>
  diagnostics.filter((d) => d.path === at || d.path?.startsWith(`${at}.`));

/**
 * The validator's paths of a sink target's config (`alerts.targets[0].sink.config.path`,
 * `...config.topics.0`) as the config form names its fields (`config.path`, `config.topics[0]`).
 */
export function sinkConfigProblems(problems: readonly Diagnostic[], at: string): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  const prefix = `${at}.sink.`;
  for (const d of problems) {
    if (!d.path?.startsWith(`${prefix}config.`) || d.code.startsWith('expr-')) continue;
    const path = d.path.slice(prefix.length).replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    byPath.set(path, [...(byPath.get(path) ?? []), d.message]);
  }
  return byPath;
}
