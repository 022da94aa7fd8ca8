/** Above the table: the hit policy (and where collect puts its list); in engineer mode, adding columns. */
import { addInput, addOutput } from '../rules-config';
import type { TableScope } from './table-scope';

export function HitPolicyBar({ config, title, edit, engineer }: Pick<TableScope, 'config' | 'title' | 'edit'> & { engineer: boolean }) {
  return (
    <div className="biz-rules-head">
      {engineer ? (
        <label>
          Hit policy{' '}
          <select
            aria-label={`${title} hit policy`}
            value={config.hitPolicy ?? 'first'}
            onChange={(e) => edit({ ...config, hitPolicy: e.target.value as 'first' | 'collect' })}
          >
            <option value="first">first matching row wins</option>
            <option value="collect">collect every matching row</option>
          </select>
        </label>
      ) : (
        <span>
          Hit policy <strong>{(config.hitPolicy ?? 'first') === 'first' ? 'first matching row wins' : 'every matching row applies'}</strong>
        </span>
      )}
      {engineer && config.hitPolicy === 'collect' ? (
        <label>
          collect as{' '}
          <input
            aria-label={`${title} collectAs`}
            value={config.collectAs ?? ''}
            placeholder="matches"
            onChange={(e) => edit({ ...config, collectAs: e.target.value || undefined })}
          />
        </label>
      ) : null}
      {engineer ? (
        <>
          <button type="button" onClick={() => edit(addInput(config))}>
            Add input column
          </button>
          <button type="button" onClick={() => edit(addOutput(config))}>
            Add output column
          </button>
        </>
      ) : null}
    </div>
  );
}
