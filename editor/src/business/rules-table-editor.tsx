/**
 * A rules node's decision table: one column per input (a condition per row) and per output (a
 * literal or an expression), row actions, the default row, when each row is in force, and the
 * hit policy. Business mode edits rows and the default only; engineer mode edits columns too.
 * Expression cells are checked as typed; the node's own check marks the rows it names.
 */
import type { CheckContext } from '@sluice/shared';
import { useMemo } from 'react';
import { checkRulesConfig, sortProblems, type TableProblem } from './rules-check';
import { addRow, type RulesConfig, readRules } from './rules-config';
import { DefaultRow } from './rules-table/default-row';
import { HeaderRow } from './rules-table/header-row';
import { HitPolicyBar } from './rules-table/hit-policy-bar';
import { RowEditor } from './rules-table/row-editor';
import { columnKinds, type TableScope } from './rules-table/table-scope';

export interface RulesTableEditorProps {
  config: Record<string, unknown>;
  onChange: (config: Record<string, unknown>) => void;
  /** business: rows and default only; engineer: columns and hit policy too. */
  mode: 'business' | 'engineer';
  readOnly?: boolean;
  /** Params and the fields reaching the node, for expression cells. */
  context: CheckContext;
  /** Problems from elsewhere (e.g. the server's 422), paths inside the config. */
  problems?: readonly TableProblem[];
  /** Names the table in labels, e.g. "Pricing table". */
  title?: string;
}

export function RulesTableEditor({
  config: raw,
  onChange,
  mode,
  readOnly = false,
  context,
  problems = [],
  title = 'rules',
}: RulesTableEditorProps) {
  const config = useMemo(() => readRules(raw), [raw]);
  const own = useMemo(() => checkRulesConfig(raw), [raw]);
  const sorted = sortProblems([...own, ...problems], config);
  const engineer = mode === 'engineer' && !readOnly;
  const edit = (next: RulesConfig) => onChange(next as Record<string, unknown>);
  const scope: TableScope = { config, title, context, readOnly, edit };
  const kinds = columnKinds(config, context);

  return (
    <div className={`biz-rules biz-rules-${mode}`} data-testid={`rules-table-${title}`}>
      <HitPolicyBar config={config} title={title} edit={edit} engineer={engineer} />
      {sorted.table.map((p) => (
        <div key={p.path + p.message} className={`biz-problem ${p.severity}`} role={p.severity === 'error' ? 'alert' : undefined}>
          {p.path ? `${p.path}: ` : ''}
          {p.message}
        </div>
      ))}
      <div className="biz-table-scroll">
        <table className="grid-table biz-table">
          <thead>
            <HeaderRow scope={scope} engineer={engineer} columnProblems={sorted.columns} />
          </thead>
          <tbody>
            {config.rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place (cells follow their values)
              <RowEditor key={i} scope={scope} kinds={kinds} row={row} index={i} problems={sorted.rows.get(i) ?? []} />
            ))}
            <DefaultRow scope={scope} kinds={kinds} problems={sorted.default} />
          </tbody>
        </table>
      </div>
      {readOnly ? null : (
        <button type="button" onClick={() => edit(addRow(config))}>
          Add row
        </button>
      )}
    </div>
  );
}
