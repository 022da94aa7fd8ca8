import type { PipelineDocument } from '@sluice/shared';
import { useCallback } from 'react';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { readDocumentText } from './import-document';

/**
 * Imports a document's text (a file, a drop, a paste) onto the canvas: a stored pipeline gets it
 * as one undoable change (then autosaves); a document that does not read shows why.
 */
export function useDocumentImport(showErrors: (title: string, lines: string[]) => void): (text: string, ask: boolean) => void {
  const replaceWith = useCallback(
    (imported: PipelineDocument, problems: string[]) => {
      const s = useDocument.getState();
      if (s.readOnly) return useUi.getState().say('This pipeline is read-only for you: nothing was imported', 'error');
      if (s.id) s.change(() => ({ ...imported, id: s.id }) as PipelineDocument);
      else {
        s.load(undefined, { ...imported, id: undefined } as PipelineDocument);
        s.change((d) => d);
      }
      useUi.getState().select(undefined);
      showErrors('', []);
      useUi
        .getState()
        .say(problems.length > 0 ? `Imported as a draft with ${problems.length} problem(s): see the problems below` : 'Imported');
    },
    [showErrors],
  );
  return useCallback(
    (text: string, ask: boolean) => {
      if (useDocument.getState().readOnly) return useUi.getState().say('This pipeline is read-only for you: nothing was imported', 'error');
      const r = readDocumentText(text);
      if (!r.ok) return showErrors('Not imported:', r.errors);
      const name = useDocument.getState().doc.name ?? 'this pipeline';
      if (ask && !window.confirm(`Replace "${name}" with the pasted document "${r.document.name ?? 'untitled'}"? Undo brings it back.`))
        return;
      replaceWith(r.document, r.problems);
    },
    [replaceWith, showErrors],
  );
}
