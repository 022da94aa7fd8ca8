/** Node types by category, searchable; drag one onto the canvas. Plugin types sit in their declared category, marked. */
import { PanelLeftClose, PanelLeftOpen } from 'lucide-react';
import { useState } from 'react';
import { allDefinitions } from '@sluice/nodes/definitions';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { plainText } from '../panels/markdown';
import { usePluginTypes } from './plugin-types';

const ORDER = ['source', 'transform', 'window', 'route', 'rules', 'sink'];

export function Palette() {
  const [q, setQ] = useState('');
  // Subscribed so the palette redraws once the server's plugin types are registered.
  const pluginTypes = usePluginTypes((s) => s.types);
  const open = useUi((s) => s.paletteOpen);
  const defs = allDefinitions().filter((d) => `${d.type} ${d.title} ${d.summary}`.toLowerCase().includes(q.toLowerCase()));
  const toggle = (
    <button
      type="button"
      className="collapse-toggle"
      onClick={() => useUi.getState().setPanels({ paletteOpen: !open })}
      aria-expanded={open}
      aria-label={open ? 'Collapse the palette' : 'Expand the palette'}
      title={open ? 'Collapse the palette' : 'Expand the palette'}
    >
      {open ? <PanelLeftClose size={15} aria-hidden="true" /> : <PanelLeftOpen size={15} aria-hidden="true" />}
    </button>
  );
  if (!open)
    return (
      <aside className="palette collapsed" aria-label="Node palette">
        {toggle}
      </aside>
    );
  return (
    <aside className="palette" aria-label="Node palette">
      <div className="palette-head">
        <input type="search" placeholder="Search nodes" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search nodes" />
        {toggle}
      </div>
      {defs.length === 0 ? (
        <p className="hint" role="status">
          No node type matches “{q}”. Try a word like filter, window or redis.
        </p>
      ) : null}
      {ORDER.map((cat) => {
        const list = defs.filter((d) => d.category === cat);
        if (list.length === 0) return null;
        return (
          <section key={cat}>
            <h3>{cat}</h3>
            {list.map((d) => (
              <button
                type="button"
                key={d.type}
                className={`palette-item cat-${cat}`}
                draggable
                onClick={() => {
                  // Clicking (or Enter) adds the node without dragging.
                  const n = useDocument.getState().doc.nodes.length;
                  useUi
                    .getState()
                    .select(useDocument.getState().addNode(d.type, { x: 60 + 260 * (n % 4), y: 80 + 180 * Math.floor(n / 4) }));
                }}
                data-testid={`palette-${d.type}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData('application/x-sluice-node', d.type);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                title={plainText(d.docs)}
              >
                <strong>
                  {/* Read as "Add Generator …": the visible text is the button's name (WCAG 2.5.3). */}
                  <span className="sr-only">Add </span>
                  {d.title}
                  {pluginTypes.includes(d.type) ? (
                    <span className="badge" title="from a plugin the server loaded">
                      plugin
                    </span>
                  ) : null}
                </strong>
                <small>{d.summary}</small>
              </button>
            ))}
          </section>
        );
      })}
    </aside>
  );
}
