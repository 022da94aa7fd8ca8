/**
 * A sticky note (plain text edited in place, resized from its corner, coloured from the
 * palette) and a group's frame (label edited in place, colour, ungroup). Edits are kept in the
 * component while typing and reach the document on blur or Enter: one undo step per edit.
 */
import { NodeResizeControl, type NodeProps, NodeToolbar, Position } from '@xyflow/react';
import { type CSSProperties, type KeyboardEvent, memo, useEffect, useRef, useState } from 'react';
import { ANNOTATION_LIMITS } from '@sluice/shared';
import { ANNOTATION_COLORS, groupFlowId, noteFlowId } from '../stores/annotations';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { cssColor, type FrameNode, type NoteNode } from './annotation-nodes';
import './annotations.css';

/** The text as typed, committed when it loses focus (a value the document changed under it wins). */
function useDraft(value: string, commit: (v: string) => void) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return {
    value: draft,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: () => {
      if (draft !== value) commit(draft);
    },
  };
}

/** Focus this field when the editor asks for it (a new note or group opens ready to type). */
function useFocusRequest(flowId: string) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const wanted = useUi((s) => s.focusRequest === flowId);
  useEffect(() => {
    if (!wanted) return;
    ref.current?.focus();
    ref.current?.select();
    useUi.getState().requestFocus(undefined);
  }, [wanted]);
  return ref;
}

function ColorChoice({ current, onPick, what }: { current: string; onPick: (c: string) => void; what: string }) {
  return (
    <fieldset className="annotation-colors" aria-label={`${what} colour`}>
      {ANNOTATION_COLORS.map((c) => (
        <button
          key={c}
          type="button"
          className={`swatch${current === c ? ' current' : ''}`}
          style={{ '--swatch': cssColor(c) } as CSSProperties}
          aria-label={`Colour ${c}`}
          aria-pressed={current === c}
          title={c}
          onClick={() => onPick(c)}
        />
      ))}
      <input
        type="color"
        aria-label="Other colour"
        title="Other colour"
        value={current.startsWith('#') ? current : '#ffd166'}
        onChange={(e) => onPick(e.target.value)}
      />
    </fieldset>
  );
}

const TOOLBAR_ON_TOP: CSSProperties = { zIndex: 1001 };

const blurOnEscape = (e: KeyboardEvent<HTMLElement>) => {
  // Escape leaves the field (the edit is kept); the canvas keys work again.
  if (e.key === 'Escape') (e.target as HTMLElement).blur();
};

function StickyNoteView({ data, selected }: NodeProps<NoteNode>) {
  const { noteId, color } = data;
  const readOnly = useDocument((s) => s.readOnly);
  const text = useDraft(data.text, (t) => useDocument.getState().updateNote(noteId, { text: t }));
  const ref = useFocusRequest(noteFlowId(noteId));
  return (
    <>
      <NodeToolbar isVisible={selected && !readOnly} position={Position.Top}>
        <div className="annotation-toolbar">
          <ColorChoice current={color} what="Note" onPick={(c) => useDocument.getState().updateNote(noteId, { color: c })} />
          <button type="button" onClick={() => useDocument.getState().remove([], [], [noteId])}>
            Delete note
          </button>
        </div>
      </NodeToolbar>
      <div className="sticky-note" style={{ '--annotation': cssColor(color) } as CSSProperties} data-testid={`note-${noteId}`}>
        <div className="note-grip" title="Drag to move" />
        <textarea
          ref={ref}
          className="nodrag nowheel nopan"
          aria-label="Note text"
          maxLength={ANNOTATION_LIMITS.maxNoteText}
          readOnly={readOnly}
          placeholder="Write a note"
          onKeyDown={blurOnEscape}
          {...text}
        />
        {readOnly ? null : (
          <NodeResizeControl
            position="bottom-right"
            minWidth={ANNOTATION_LIMITS.minNoteSize}
            minHeight={ANNOTATION_LIMITS.minNoteSize}
            maxWidth={ANNOTATION_LIMITS.maxNoteSize}
            maxHeight={ANNOTATION_LIMITS.maxNoteSize}
            className="note-resize"
            onResizeEnd={(_, p) =>
              useDocument.getState().updateNote(noteId, { size: { width: Math.round(p.width), height: Math.round(p.height) } })
            }
          >
            <span className="note-resize-mark" data-testid={`note-resize-${noteId}`} />
          </NodeResizeControl>
        )}
      </div>
    </>
  );
}

function GroupFrameView({ data, selected }: NodeProps<FrameNode>) {
  const { groupId, color } = data;
  const readOnly = useDocument((s) => s.readOnly);
  const label = useDraft(data.label, (l) => {
    // An emptied label keeps the old one: a group always has a label.
    if (l.trim() !== '') useDocument.getState().updateGroup(groupId, { label: l.trim() });
  });
  const ref = useFocusRequest(groupFlowId(groupId));
  return (
    <>
      {/* Above the canvas, though the frame itself is drawn below everything (annotation-nodes.ts). */}
      <NodeToolbar isVisible={selected && !readOnly} position={Position.Top} align="start" style={TOOLBAR_ON_TOP}>
        <div className="annotation-toolbar">
          <ColorChoice current={color} what="Group" onPick={(c) => useDocument.getState().updateGroup(groupId, { color: c })} />
          <button type="button" onClick={() => useDocument.getState().remove([], [], [groupId])}>
            Ungroup
          </button>
        </div>
      </NodeToolbar>
      <div className="group-frame" style={{ '--annotation': cssColor(color) } as CSSProperties} data-testid={`group-${groupId}`}>
        <input
          ref={ref}
          className="group-label nodrag"
          aria-label="Group label"
          maxLength={ANNOTATION_LIMITS.maxGroupLabel}
          readOnly={readOnly}
          size={Math.max(6, label.value.length + 1)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur();
            blurOnEscape(e);
          }}
          {...label}
        />
      </div>
    </>
  );
}

export const StickyNote = memo(StickyNoteView);
export const GroupFrame = memo(GroupFrameView);
