/** An expression field, checked as you type with the shared checker (the validator's own). */
import { useLayoutEffect, useRef, useState } from 'react';
import { type CheckContext, checkExpression, type FieldType } from '@sluice/shared';
import { applyCompletion, type Completions, completionsAt } from './completions';

/**
 * What a form's expressions are checked against: the params, the input schema and, per config
 * path, fields the node itself adds before that expression runs (a map's earlier `set` fields),
 * as the node's definition declares them for the validator.
 */
export interface FormContext extends CheckContext {
  extraFields?: Record<string, Record<string, FieldType>>;
}

/** The context of the expression at `path`, with the fields the node adds before it. */
export function contextAt(context: FormContext, path: string): CheckContext {
  const extra = context.extraFields?.[path];
  if (!extra || !context.schema) return context;
  return { params: context.params, schema: { ...context.schema, fields: { ...context.schema.fields, ...extra } } };
}

export function ExpressionInput({
  value,
  onChange,
  context: formContext,
  label,
}: {
  value: string;
  onChange: (v: string) => void;
  context: FormContext;
  label: string;
}) {
  const context = contextAt(formContext, label);
  const issues = value.trim() === '' ? [] : checkExpression(value, context).issues;
  const first = issues[0];
  const input = useRef<HTMLInputElement>(null);
  // Completions follow the caret while the field has focus; Escape or a pick closes them.
  const [open, setOpen] = useState<Completions | undefined>(undefined);
  const [active, setActive] = useState(0);
  // The caret after a pick goes where the completion ends once the picked text is in the field:
  // in a layout effect of that render, before the next keystroke can land (a frame later, a fast
  // typist's next character would already be in and the caret moved back before it).
  const pendingCaret = useRef<{ text: string; caret: number } | undefined>(undefined);
  useLayoutEffect(() => {
    const pending = pendingCaret.current;
    const el = input.current;
    if (!pending || !el || el.value !== pending.text) return;
    pendingCaret.current = undefined;
    el.setSelectionRange(pending.caret, pending.caret);
  });
  const follow = (el: HTMLInputElement) => {
    setOpen(completionsAt(el.value, el.selectionStart ?? el.value.length, context));
    setActive(0);
  };
  const pick = (item: string) => {
    if (!open) return;
    const next = applyCompletion(value, open, item);
    pendingCaret.current = { text: next.text, caret: next.caret };
    onChange(next.text);
    setOpen(undefined);
  };
  const listId = `${label}-completions`;
  return (
    <div className="expr">
      <input
        ref={input}
        className={`mono${first ? ' has-error' : ''}`}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          follow(e.target);
        }}
        onClick={(e) => follow(e.currentTarget)}
        onBlur={() => setOpen(undefined)}
        onKeyDown={(e) => {
          if (!open) return;
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : open.items.length - 1)) % open.items.length);
          } else if (e.key === 'Enter' || e.key === 'Tab') {
            e.preventDefault();
            pick(open.items[active]!);
          } else if (e.key === 'Escape') setOpen(undefined);
        }}
        aria-label={label}
        aria-invalid={first ? true : undefined}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        spellCheck={false}
      />
      {open ? (
        <div className="completions" role="listbox" id={listId} aria-label="field completions">
          {open.items.map((item, i) => (
            <div
              key={item}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              // mousedown, not click: the input keeps its focus and caret.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
            >
              {item}
              {context.schema?.fields[item] ? <span className="completion-type">{context.schema.fields[item]}</span> : null}
            </div>
          ))}
        </div>
      ) : null}
      {first ? (
        <div className="field-error" role="alert" data-testid="expr-error">
          {first.message}
        </div>
      ) : null}
      {context.schema ? <div className="hint">fields: {Object.keys(context.schema.fields).slice(0, 12).join(', ')}</div> : null}
    </div>
  );
}
