/** System / light / dark, as three buttons in the top bar (one pressed). */
import { Monitor, Moon, Sun } from 'lucide-react';
import { type ThemeChoice, useTheme } from './theme';

const OPTIONS: { choice: ThemeChoice; label: string; Icon: typeof Sun }[] = [
  { choice: 'system', label: 'Theme: follow the system', Icon: Monitor },
  { choice: 'light', label: 'Theme: light', Icon: Sun },
  { choice: 'dark', label: 'Theme: dark', Icon: Moon },
];

export function ThemeToggle() {
  const choice = useTheme((s) => s.choice);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div className="theme-toggle" role="group" aria-label="Colour theme">
      {OPTIONS.map(({ choice: c, label, Icon }) => (
        <button
          key={c}
          type="button"
          className="icon-button"
          aria-pressed={choice === c}
          aria-label={label}
          title={label}
          data-testid={`theme-${c}`}
          onClick={() => useTheme.getState().setChoice(c)}
        >
          <Icon size={15} aria-hidden="true" />
        </button>
      ))}
    </div>
  );
}
