/**
 * The colour theme: the user's choice (system, light or dark) is kept in localStorage; the
 * theme in force is written to <html data-theme>, which the tokens in styles.css follow. With
 * "system" it follows `prefers-color-scheme`, also when the system setting changes later.
 */
import { create } from 'zustand';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'sluice.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const DARK_QUERY = '(prefers-color-scheme: dark)';

function storedChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return CHOICES.includes(v as ThemeChoice) ? (v as ThemeChoice) : 'system';
  } catch {
    // Storage refused (a locked-down profile): the system setting still applies.
    return 'system';
  }
}

const systemTheme = (): Theme => (window.matchMedia?.(DARK_QUERY).matches ? 'dark' : 'light');

export const resolveTheme = (choice: ThemeChoice, system: Theme): Theme => (choice === 'system' ? system : choice);

interface ThemeState {
  choice: ThemeChoice;
  system: Theme;
  setChoice: (choice: ThemeChoice) => void;
}

export const useTheme = create<ThemeState>((set) => ({
  choice: storedChoice(),
  system: systemTheme(),
  setChoice: (choice) => {
    try {
      localStorage.setItem(THEME_KEY, choice);
    } catch {
      // Not kept across reloads, still applied now.
    }
    set({ choice });
  },
}));

/** The theme in force, for React Flow's `colorMode` and anything drawn outside CSS. */
export const useResolvedTheme = (): Theme => useTheme((s) => resolveTheme(s.choice, s.system));

function apply(): void {
  const { choice, system } = useTheme.getState();
  document.documentElement.dataset.theme = resolveTheme(choice, system);
}

/** Called once before the first render, so the first paint already has the right colours. */
export function installTheme(): void {
  apply();
  useTheme.subscribe(apply);
  window.matchMedia?.(DARK_QUERY).addEventListener('change', (e) => useTheme.setState({ system: e.matches ? 'dark' : 'light' }));
}
