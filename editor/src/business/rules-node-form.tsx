/**
 * The node panel's form for a `rules` node: the generated form for the plain fields (exposed,
 * anything added later) and the table editor, in engineer mode, for columns, rows and default.
 */
import type { CheckContext } from '@sluice/shared';
import { ConfigForm } from '../forms/config-form';
import { RulesTableEditor } from './rules-table-editor';

const TABLE_FIELDS = new Set(['inputs', 'outputs', 'rows', 'default', 'hitPolicy', 'collectAs']);

type Schema = Parameters<typeof ConfigForm>[0]['schema'];

export function RulesNodeForm({
  schema,
  value,
  context,
  title,
  onChange,
}: {
  schema: Schema | undefined;
  value: Record<string, unknown>;
  context: CheckContext;
  title: string;
  onChange: (v: Record<string, unknown>) => void;
}) {
  const rest = schema?.properties
    ? { ...schema, properties: Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !TABLE_FIELDS.has(k))) }
    : undefined;
  return (
    <div className="biz-rules-node">
      {rest ? (
        <ConfigForm
          schema={rest}
          value={value}
          context={context}
          onChange={(v) => {
            // The generated form only knows the plain fields: keep the table's own.
            const next = { ...v };
            for (const k of TABLE_FIELDS) if (value[k] !== undefined) next[k] = value[k];
            onChange(next);
          }}
        />
      ) : null}
      <RulesTableEditor config={value} onChange={onChange} mode="engineer" context={context} title={title} />
    </div>
  );
}
