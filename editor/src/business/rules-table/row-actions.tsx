/** A row's buttons: move up or down (the order decides under "first"), duplicate, add below, delete. */
import { ArrowDown, ArrowUp, Copy, Plus, X } from 'lucide-react';
import { addRow, deleteRow, duplicateRow, moveRow } from '../rules-config';
import type { TableScope } from './table-scope';

export function RowActions({ config, title, edit, index }: Pick<TableScope, 'config' | 'title' | 'edit'> & { index: number }) {
  const i = index;
  const n = i + 1;
  return (
    <td className="biz-row-actions">
      <button
        type="button"
        aria-label={`Move ${title} row ${n} up`}
        title="Move up"
        disabled={i === 0}
        onClick={() => edit(moveRow(config, i, -1))}
      >
        <ArrowUp size={14} aria-hidden="true" />
      </button>
      <button
        type="button"
        aria-label={`Move ${title} row ${n} down`}
        title="Move down"
        disabled={i === config.rows.length - 1}
        onClick={() => edit(moveRow(config, i, 1))}
      >
        <ArrowDown size={14} aria-hidden="true" />
      </button>
      <button type="button" aria-label={`Duplicate ${title} row ${n}`} title="Duplicate" onClick={() => edit(duplicateRow(config, i))}>
        <Copy size={14} aria-hidden="true" />
      </button>
      <button
        type="button"
        aria-label={`Add a row below ${title} row ${n}`}
        title="Add a row below"
        onClick={() => edit(addRow(config, i))}
      >
        <Plus size={14} aria-hidden="true" />
      </button>
      <button type="button" aria-label={`Delete ${title} row ${n}`} title="Delete" onClick={() => edit(deleteRow(config, i))}>
        <X size={14} aria-hidden="true" />
      </button>
    </td>
  );
}
