/** One row of the table (a condition per input, a value per output, when it is in force, a note) and, under it, its problems. */
import { rowProblemText, type TableProblem } from '../rules-check';
import { type RuleRow, setCondition, setOutput, updateRow } from '../rules-config';
import { ConditionCell } from './condition-cell';
import { OutputCellInput } from './output-cell';
import { RowActions } from './row-actions';
import type { ColumnKinds, TableScope } from './table-scope';
import { DateInput } from './typed-inputs';

export function RowEditor({
  scope,
  kinds,
  row,
  index,
  problems,
}: {
  scope: TableScope;
  kinds: ColumnKinds;
  row: RuleRow;
  index: number;
  problems: readonly TableProblem[];
}) {
  const { config, title, context, readOnly, edit } = scope;
  const i = index;
  const n = i + 1;
  const cols = config.inputs.length + config.outputs.length + (readOnly ? 3 : 4);
  return (
    <>
      <tr className={problems.some((p) => p.severity === 'error') ? 'biz-row-bad' : undefined} data-testid={`${title}-row-${n}`}>
        <td className="biz-rownum">{n}</td>
        {config.inputs.map((inp) => (
          <td key={inp.id}>
            <ConditionCell
              label={`${title} row ${n} ${inp.id}`}
              cond={row.when[inp.id] ?? { op: 'any' }}
              kind={kinds.inputs[inp.id] ?? 'any'}
              readOnly={readOnly}
              context={context}
              onChange={(c) => edit(setCondition(config, i, inp.id, c))}
            />
          </td>
        ))}
        {config.outputs.map((out) => (
          <td key={out.id}>
            <OutputCellInput
              label={`${title} row ${n} ${out.id}`}
              cell={row.then[out.id]}
              kind={kinds.outputs[out.id] ?? 'any'}
              readOnly={readOnly}
              context={context}
              onChange={(c) => edit(setOutput(config, i, out.id, c ?? null))}
            />
          </td>
        ))}
        <td className="biz-when">
          <DateInput
            label={`${title} row ${n} effectiveFrom`}
            value={row.effectiveFrom}
            placeholder="from (any)"
            readOnly={readOnly}
            onChange={(v) => edit(updateRow(config, i, { effectiveFrom: v }))}
          />
          <DateInput
            label={`${title} row ${n} effectiveUntil`}
            value={row.effectiveUntil}
            placeholder="until (open)"
            readOnly={readOnly}
            onChange={(v) => edit(updateRow(config, i, { effectiveUntil: v }))}
          />
        </td>
        <td>
          <input
            aria-label={`${title} row ${n} note`}
            value={row.note ?? ''}
            readOnly={readOnly}
            onChange={(e) => edit(updateRow(config, i, { note: e.target.value || undefined }))}
          />
        </td>
        {readOnly ? null : <RowActions config={config} title={title} edit={edit} index={i} />}
      </tr>
      {problems.length > 0 ? (
        <tr className="biz-row-problems">
          <td />
          <td colSpan={cols - 1}>
            {problems.map((p) => (
              <div key={p.path + p.message} className={`biz-problem ${p.severity}`} data-testid={`${title}-row-${n}-problem`}>
                {/^row \d/.test(p.message) ? p.message : `row ${n}: ${rowProblemText(p)}`}
              </div>
            ))}
          </td>
        </tr>
      ) : null}
    </>
  );
}
