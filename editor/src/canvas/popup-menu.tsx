/**
 * A menu at a point of the screen (role="menu"), used by the right-click menu and by keyboard
 * connection: the first item takes the focus, Up/Down/Home/End move it, Enter or Space runs the
 * item, Escape or Tab closes the menu and gives the focus back to where it was.
 */
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import './annotations.css';

export interface MenuItem {
  label: string;
  run: () => void;
  disabled?: boolean;
  /** Starts a group of items (drawn with a line above). */
  separated?: boolean;
}

export function PopupMenu({
  label,
  items,
  at,
  onClose,
  children,
}: {
  label: string;
  items: MenuItem[];
  at: { x: number; y: number };
  onClose: (restoreFocus: boolean) => void;
  /** Shown above the items (e.g. a search field); it manages its own keys. */
  children?: React.ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState(at);
  const itemEls = () => Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])') ?? []);
  // Kept inside the window: a menu opened near the right or bottom edge opens towards the middle.
  useLayoutEffect(() => {
    const box = ref.current?.getBoundingClientRect();
    if (!box) return;
    setPos({
      x: Math.max(4, Math.min(at.x, window.innerWidth - box.width - 4)),
      y: Math.max(4, Math.min(at.y, window.innerHeight - box.height - 4)),
    });
  }, [at]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus once, when the menu opens
  useEffect(() => {
    // An empty menu takes the focus itself, so Escape still closes it.
    if (!children) (itemEls()[0] ?? ref.current?.querySelector<HTMLElement>('[role="menu"]'))?.focus();
    // A press outside closes the menu (the focus stays where the press put it).
    const outside = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose(false);
    };
    window.addEventListener('pointerdown', outside, true);
    return () => window.removeEventListener('pointerdown', outside, true);
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    // A field above the items (a search) keeps its own keys, Escape and Tab apart.
    const onItem = (e.target as HTMLElement).getAttribute('role') === 'menuitem';
    if (!onItem && e.key !== 'Escape' && e.key !== 'Tab') return;
    const els = itemEls();
    const at = els.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number) => {
      e.preventDefault();
      els[(i + els.length) % els.length]?.focus();
    };
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose(true);
    } else if (e.key === 'Tab') onClose(false);
    else if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at < 0 ? els.length - 1 : at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(els.length - 1);
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the keys of the menu's items, handled where they bubble to
    <div
      className="popup-menu"
      style={{ left: pos.x, top: pos.y }}
      ref={ref}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
    >
      {children}
      {items.length === 0 ? <p className="popup-empty">Nothing here</p> : null}
      <div role="menu" aria-label={label} aria-orientation="vertical" tabIndex={-1}>
        {items.map((item) => (
          <button
            key={item.label}
            type="button"
            role="menuitem"
            tabIndex={-1}
            className={item.separated ? 'separated' : undefined}
            disabled={item.disabled}
            onClick={() => {
              onClose(true);
              item.run();
            }}
          >
            {item.label}
          </button>
        ))}
      </div>
    </div>
  );
}
