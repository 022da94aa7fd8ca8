/** The table's head: a column per input ("if") and output ("then"), editable in engineer mode. */
import type { SortedProblems } from '../rules-check';
import { ColumnEditor } from './column-editor';
import type { TableScope } from './table-scope';

export function HeaderRow({
  scope,
  engineer,
  columnProblems,
}: {
  scope: TableScope;
  engineer: boolean;
  columnProblems: SortedProblems['columns'];
}) {
  const { config, title, context, edit, readOnly } = scope;
  return (
    <tr>
      <th>#</th>
      {config.inputs.map((inp) => (
        <th key={`i-${inp.id}`} className="biz-col-input">
          {engineer ? (
            <ColumnEditor
              kind="input"
              id={inp.id}
              config={config}
              title={title}
              context={context}
              edit={edit}
              problems={columnProblems.get(`input:${inp.id}`)}
            />
          ) : (
            <span title={inp.expression}>
              {inp.label ?? inp.id}
              <small className="biz-col-kind">condition</small>
            </span>
          )}
        </th>
      ))}
      {config.outputs.map((out) => (
        <th key={`o-${out.id}`} className="biz-col-output">
          {engineer ? (
            <ColumnEditor
              kind="output"
              id={out.id}
              config={config}
              title={title}
              context={context}
              edit={edit}
              problems={columnProblems.get(`output:${out.id}`)}
            />
          ) : (
            <span>
              {out.label ?? out.id}
              {out.unit ? ` (${out.unit})` : ''}
              <small className="biz-col-kind">result</small>
            </span>
          )}
        </th>
      ))}
      <th>in force (event time)</th>
      <th>note</th>
      {readOnly ? null : <th>row</th>}
    </tr>
  );
}
