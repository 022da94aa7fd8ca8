import { useState } from 'react';

/**
 * The text of an input bound to a value: kept as typed while it does not read as a value (the
 * error says why), replaced when a different value comes from outside. `key` is what identifies
 * the value (a primitive: a list is compared by its text); `accept` records the value the typed
 * text gave, so its echo from the parent does not replace the text being typed.
 */
export function useTypedText<K>(key: K, textOf: () => string) {
  const [shown, setShown] = useState(key);
  const [text, setText] = useState(textOf);
  const [error, setError] = useState<string>();
  if (shown !== key) {
    setShown(key);
    setText(textOf());
    setError(undefined);
  }
  return {
    text,
    error,
    type: setText,
    refuse: setError,
    accept: (next: K) => {
      setError(undefined);
      setShown(next);
    },
  };
}
