import type { PipelineDocument } from '@sluice/shared';
import { useCallback } from 'react';
import { api } from '../api/client';
import { useDocument } from '../stores/document-store';
import { useUi } from '../stores/ui-store';
import { readDocumentText } from './import-document';
import { report } from './report';

/**
 * Imports a document's text (a file, a drop, a paste) onto the canvas: a stored pipeline gets it
 * as one undoable change, saved as a version of its own; a document that does not read shows why.
 */
export function useDocumentImport(showErrors: (title: string, lines: string[]) => void): (text: string, ask: boolean) => void {
  const replaceWith = useCallback(
    (imported: PipelineDocument, problems: string[]) => {
      const s = useDocument.getState();
      if (s.readOnly) return useUi.getState().say('This pipeline is read-only for you: nothing was imported', 'error');
      if (s.id) {
        const id = s.id;
        s.change(() => ({ ...imported, id }) as PipelineDocument);
        // An import is a version of its own, not a draft for the autosave to replace.
        const doc = useDocument.getState().doc;
        void api.save(id, doc, 'import').then(() => {
          useDocument.getState().markSaved(doc);
        }, report);
      } else {
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
