/**
 * Where a sign-in through the organization's provider lands (`#/start`). A business user goes
 * straight to the business page of the pipeline she may change (one with exposed values or
 * rule tables); with several, she picks from their names; everyone else sees the pipelines.
 */
import { useEffect, useState } from 'react';
import { api, type Role } from '../api/client';
import { exposedParams, exposedRuleNodes } from '../business/draft';
import { report } from './report';
import { formatRoute, navigate } from './route';

interface Changeable {
  id: string;
  name: string;
  description?: string;
}

/** The pipelines a business user may change: those exposing a value or a rule table. */
async function changeablePipelines(): Promise<Changeable[]> {
  const list = await api.list();
  const docs = await Promise.all(list.map((p) => api.get(p.id).then((r) => ({ id: p.id, doc: r.pipeline.document }))));
  return docs
    .filter(({ doc }) => exposedParams(doc).length > 0 || exposedRuleNodes(doc).length > 0)
    .map(({ id, doc }) => ({ id, name: doc.name ?? id, ...(doc.description ? { description: doc.description } : {}) }));
}

export function StartPage({ role }: { role: Role }) {
  const [pages, setPages] = useState<Changeable[] | undefined>(undefined);
  useEffect(() => {
    if (role !== 'business') return navigate({ page: 'pipelines' }, true);
    let live = true;
    changeablePipelines().then((found) => {
      if (!live) return;
      if (found.length === 1) navigate({ page: 'business', id: found[0]!.id }, true);
      else setPages(found);
    }, report);
    return () => {
      live = false;
    };
  }, [role]);

  if (!pages) return <p className="page hint">Loading…</p>;
  return (
    <div className="page start-page" data-testid="start-page">
      <h1>What would you like to change?</h1>
      {pages.length === 0 ? (
        <p>There is nothing for you to change yet. Ask your Sluice administrator which pages you should see.</p>
      ) : (
        <ul className="start-list">
          {pages.map((p) => (
            <li key={p.id}>
              <a className="button" href={formatRoute({ page: 'business', id: p.id })}>
                {p.name}
              </a>
              {p.description ? <span className="hint"> {p.description}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
