/** The last row: the outputs when no row matches (and for outputs a matching row leaves out). */
import type { TableProblem } from '../rules-check';
import { setDefault } from '../rules-config';
import { OutputCellInput } from './output-cell';
import type { ColumnKinds, TableScope } from './table-scope';

export function DefaultRow({ scope, kinds, problems }: { scope: TableScope; kinds: ColumnKinds; problems: readonly TableProblem[] }) {
  const { config, title, context, readOnly, edit } = scope;
  return (
    <tr className="biz-default-row">
      <td className="biz-rownum">else</td>
      <td colSpan={Math.max(1, config.inputs.length)} className="hint">
        no row matches: default
      </td>
      {config.outputs.map((out) => (
        <td key={out.id}>
          <OutputCellInput
            label={`${title} default ${out.id}`}
            cell={config.default?.[out.id]}
            kind={kinds.outputs[out.id] ?? 'any'}
            readOnly={readOnly}
            context={context}
            optional
            onChange={(c) => edit(setDefault(config, out.id, c))}
          />
        </td>
      ))}
      <td colSpan={readOnly ? 2 : 3}>
        {problems.map((p) => (
          <div key={p.path + p.message} className={`biz-problem ${p.severity}`}>
            {p.path}: {p.message}
          </div>
        ))}
      </td>
    </tr>
  );
}
