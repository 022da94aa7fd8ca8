/** An engineer's column head: id (renamed on blur or Enter), label, type, expression or unit, remove. */
import { useState } from 'react';
import { ExpressionInput } from '../../forms/expression-input';
import type { TableProblem } from '../rules-check';
import { removeColumn, renameColumn, updateColumn } from '../rules-config';
import type { TableScope } from './table-scope';

export function ColumnEditor({
  kind,
  id,
  config,
  title,
  context,
  edit,
  problems,
}: Pick<TableScope, 'config' | 'title' | 'context' | 'edit'> & {
  kind: 'input' | 'output';
  id: string;
  problems: TableProblem[] | undefined;
}) {
  const col = kind === 'input' ? config.inputs.find((x) => x.id === id) : config.outputs.find((x) => x.id === id);
  const [draftId, setDraftId] = useState(id);
  const [error, setError] = useState<string>();
  if (!col) return null;
  const commitId = () => {
    const next = renameColumn(config, kind, id, draftId.trim());
    if (typeof next === 'string') setError(next);
    else {
      setError(undefined);
      edit(next);
    }
  };
  return (
    <div className="biz-col-head">
      <input
        aria-label={`${title} ${kind} ${id} id`}
        className={`mono${error ? ' has-error' : ''}`}
        value={draftId}
        onChange={(e) => setDraftId(e.target.value)}
        onBlur={commitId}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commitId();
        }}
      />
      {error ? <div className="field-error">{error}</div> : null}
      <input
        aria-label={`${title} ${kind} ${id} label`}
        placeholder="label"
        value={col.label ?? ''}
        onChange={(e) => edit(updateColumn(config, kind, id, { label: e.target.value || undefined }))}
      />
      <select
        aria-label={`${title} ${kind} ${id} type`}
        value={col.type ?? ''}
        title="When set, every value in this column must be of this type"
        onChange={(e) =>
          edit(updateColumn(config, kind, id, { type: (e.target.value || undefined) as 'number' | 'string' | 'boolean' | undefined }))
        }
      >
        <option value="">any type</option>
        <option value="number">number</option>
        <option value="string">text</option>
        <option value="boolean">yes/no</option>
      </select>
      {kind === 'input' && 'expression' in col ? (
        <ExpressionInput
          label={`${title} input ${id} expression`}
          value={col.expression}
          context={context}
          onChange={(v) => edit(updateColumn(config, kind, id, { expression: v }))}
        />
      ) : null}
      {kind === 'output' ? (
        <input
          aria-label={`${title} output ${id} unit`}
          placeholder="unit"
          value={'unit' in col ? (col.unit ?? '') : ''}
          onChange={(e) => edit(updateColumn(config, kind, id, { unit: e.target.value || undefined }))}
        />
      ) : null}
      <button type="button" aria-label={`Remove ${title} ${kind} column ${id}`} onClick={() => edit(removeColumn(config, kind, id))}>
        Remove column
      </button>
      {problems?.map((p) => (
        <div key={p.path + p.message} className={`biz-problem ${p.severity}`}>
          {p.message}
        </div>
      ))}
    </div>
  );
}
