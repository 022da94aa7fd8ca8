/**
 * The canvas's popups: the right-click menu of a node, an edge, a note or group frame and the
 * canvas itself, the "add node here" search, and the list of ports an output (or input) can be
 * connected to by keyboard. What each item does is the document store's: one undo step each.
 */
import { useReactFlow } from '@xyflow/react';
import { useState } from 'react';
import { allDefinitions, nodeDefinitions } from '@sluice/nodes/definitions';
import { sourcePortOf, targetPortOf } from '@sluice/shared';
import { copiedNodes } from '../pages/use-canvas-clipboard';
import { withoutMembers } from '../stores/annotations';
import { connectionProblem, useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';
import { useUi } from '../stores/ui-store';
import { autoLayout } from './auto-layout';
import { inputPorts, outputPorts } from './ports';
import { BreakpointCondition, breakpointItems } from './breakpoint-menu';
import { type MenuItem, PopupMenu } from './popup-menu';
import { type Popup, usePopup } from './popup-store';

const docs = () => useDocument.getState();
const ui = () => useUi.getState();
/** A node as a person names it in a list: its label, and its id when the label differs. */
const nodeName = (id: string) => {
  const n = docs().doc.nodes.find((x) => x.id === id);
  return n?.label && n.label !== id ? `${n.label} (${id})` : id;
};

export function CanvasPopups() {
  const popup = usePopup((s) => s.popup);
  if (!popup) return null;
  return <OpenPopup popup={popup} />;
}

function OpenPopup({ popup }: { popup: NonNullable<ReturnType<typeof usePopup.getState>['popup']> }) {
  const close = usePopup((s) => s.close);
  const flow = useReactFlow();
  const readOnly = useDocument((s) => s.readOnly);
  let label = 'Canvas';
  let items: MenuItem[] = [];
  const edit = (items: MenuItem[]) => (readOnly ? [] : items);

  if (popup.kind === 'node') {
    const id = popup.nodeId;
    const sel = ui().selection.includes(id) ? ui().selection : [id];
    const groups = docs().doc.groups ?? [];
    const inGroup = groups.find((g) => g.nodes.includes(id));
    const connected = docs().doc.edges.filter((e) => e.source === id || e.target === id);
    label = `Node ${nodeName(id)}`;
    items = [
      { label: 'Open config', run: () => ui().select(id) },
      ...edit([
        {
          label: 'Duplicate',
          run: () => ui().setSelection(docs().paste(docs().copy(sel))),
        },
        {
          label: 'Disconnect',
          disabled: connected.length === 0,
          run: () =>
            docs().remove(
              [],
              connected.map((e) => e.id),
            ),
        },
        { label: sel.length > 1 ? `Delete ${sel.length} nodes` : 'Delete', run: () => docs().remove(sel, []) },
        {
          label: sel.length > 1 ? `Group ${sel.length} nodes` : 'Add to new group',
          separated: true,
          run: () => {
            const g = docs().groupNodes(sel);
            if (g) ui().requestFocus(`group:${g}`);
          },
        },
        ...groups
          .filter((g) => g !== inGroup)
          .map((g) => ({ label: `Add to group "${g.label}"`, run: () => docs().addToGroup(g.id, sel) })),
        ...(inGroup ? [{ label: `Remove from group "${inGroup.label}"`, run: () => docs().change((d) => withoutMembers(d, [id])) }] : []),
      ]),
    ];
  } else if (popup.kind === 'edge') {
    const id = popup.edgeId;
    const e = docs().doc.edges.find((x) => x.id === id);
    label = e ? `Edge ${nodeName(e.source)} ${sourcePortOf(e)} to ${nodeName(e.target)} ${targetPortOf(e)}` : `Edge ${id}`;
    items = [
      {
        label: 'Tap this edge',
        run: () => {
          ui().select(undefined, id);
          if (useMetrics.getState().status !== 'running') ui().say('Deploy the pipeline to watch the events on this edge');
        },
      },
      ...edit([
        ...breakpointItems(id, popup.at, popup.flowAt),
        { label: 'Delete edge', separated: true, run: () => docs().remove([], [id]) },
      ]),
    ];
  } else if (popup.kind === 'annotation') {
    const [kind, id] = [popup.flowId.slice(0, popup.flowId.indexOf(':')), popup.flowId.slice(popup.flowId.indexOf(':') + 1)];
    label = kind === 'note' ? 'Note' : 'Group';
    items = edit(
      kind === 'note'
        ? [
            { label: 'Edit text', run: () => ui().requestFocus(popup.flowId) },
            { label: 'Delete note', run: () => docs().remove([], [], [id]) },
          ]
        : [
            { label: 'Rename', run: () => ui().requestFocus(popup.flowId) },
            {
              label: 'Select its nodes',
              run: () => ui().setSelection(docs().doc.groups?.find((g) => g.id === id)?.nodes ?? []),
            },
            { label: 'Ungroup', run: () => docs().remove([], [], [id]) },
          ],
    );
  } else if (popup.kind === 'pane') {
    const clip = copiedNodes();
    const sel = ui().selection;
    items = [
      ...edit([
        { label: 'Add node here…', run: () => usePopup.getState().open({ kind: 'add-node' }, popup.at, popup.flowAt) },
        {
          label: 'Add note here',
          run: () => {
            const id = docs().addNote(popup.flowAt);
            ui().requestFocus(`note:${id}`);
          },
        },
        {
          label: 'Paste',
          disabled: !clip,
          run: () => {
            if (clip) ui().setSelection(docs().paste(clip));
          },
        },
      ]),
      { label: 'Select all', separated: true, run: () => ui().setSelection(docs().doc.nodes.map((n) => n.id)) },
      ...edit([
        ...(sel.length > 0
          ? [
              {
                label: `Group ${sel.length} selected node${sel.length === 1 ? '' : 's'}`,
                run: () => {
                  const g = docs().groupNodes(sel);
                  if (g) ui().requestFocus(`group:${g}`);
                },
              },
            ]
          : []),
        {
          label: 'Layout',
          run: () => {
            docs().change((d) => autoLayout(d));
            void flow.fitView({ maxZoom: 1 });
          },
        },
      ]),
    ];
  } else if (popup.kind === 'add-node') {
    return <AddNodeHere at={popup.at} flowAt={popup.flowAt} />;
  } else if (popup.kind === 'breakpoint') {
    return <BreakpointCondition edgeId={popup.edgeId} at={popup.at} />;
  } else if (popup.kind === 'connect') {
    ({ label, items } = connectItems(popup));
  }
  return <PopupMenu label={label} items={items} at={popup.at} onClose={close} />;
}

/** Every port the chosen port can be connected to, each as an item that connects and says so. */
function connectItems(popup: Extract<Popup, { kind: 'connect' }>): { label: string; items: MenuItem[] } {
  const { doc } = docs();
  const items: MenuItem[] = [];
  for (const n of doc.nodes) {
    const ports = popup.side === 'source' ? inputPorts(n.type) : outputPorts(n.type, n.config);
    for (const port of ports) {
      const edge =
        popup.side === 'source'
          ? { source: popup.nodeId, target: n.id, sourcePort: popup.port, targetPort: port }
          : { source: n.id, target: popup.nodeId, sourcePort: port, targetPort: popup.port };
      if (connectionProblem(doc, edge) !== undefined) continue;
      const other = `${nodeName(n.id)} · ${port}`;
      items.push({
        label: other,
        run: () => {
          const reason = docs().connect({
            source: edge.source,
            target: edge.target,
            ...(edge.sourcePort !== 'out' ? { sourcePort: edge.sourcePort } : {}),
            ...(edge.targetPort !== 'in' ? { targetPort: edge.targetPort } : {}),
          });
          const said = reason
            ? `Cannot connect: ${reason}`
            : `Connected ${nodeName(edge.source)} ${edge.sourcePort} to ${nodeName(edge.target)} ${edge.targetPort}`;
          usePopup.getState().announce(said);
          ui().say(said, reason ? 'error' : 'info');
        },
      });
    }
  }
  const side = popup.side === 'source' ? 'output' : 'input';
  if (items.length === 0) usePopup.getState().announce(`No port can be connected to ${nodeName(popup.nodeId)} ${side} ${popup.port}`);
  return { label: `Connect ${nodeName(popup.nodeId)} ${side} ${popup.port} to`, items };
}

/** The palette's search, at the point the menu was opened: Enter adds the first match there. */
function AddNodeHere({ at, flowAt }: { at: { x: number; y: number }; flowAt: { x: number; y: number } }) {
  const [q, setQ] = useState('');
  const close = usePopup((s) => s.close);
  const add = (type: string) => {
    const id = docs().addNode(type, flowAt);
    ui().select(id);
    usePopup.getState().announce(`Added ${nodeDefinitions.get(type)?.title ?? type}`);
  };
  const matches = allDefinitions()
    .filter((d) => `${d.type} ${d.title} ${d.summary}`.toLowerCase().includes(q.toLowerCase()))
    .slice(0, 12);
  const items = matches.map((d) => ({ label: `${d.title} (${d.type})`, run: () => add(d.type) }));
  return (
    <PopupMenu label="Node types" items={items} at={at} onClose={close}>
      <input
        type="search"
        // biome-ignore lint/a11y/noAutofocus: the search opens from a menu choice, to type in at once
        autoFocus
        aria-label="Add node here: search node types"
        placeholder="Search node types"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && matches[0]) {
            e.preventDefault();
            close(true);
            add(matches[0].type);
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            e.currentTarget.parentElement?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
          }
        }}
      />
    </PopupMenu>
  );
}
