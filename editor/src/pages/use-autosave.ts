import type { PipelineDocument } from '@sluice/shared';
import { useEffect } from 'react';
import { api } from '../api/client';
import { useDocument } from '../stores/document-store';
import { report } from './report';

/**
 * A stored pipeline saves itself 1.5 s after the last change (each change restarts the wait) as
 * a draft: the server keeps one draft version per author, replaced by each autosave, so building
 * a pipeline leaves the versions made by Save, Deploy, import and rollback, not one per edit;
 * leaving it (another page, another pipeline) saves what the wait had not yet; closing the tab
 * with unsaved changes asks first.
 */
export function useAutosave({
  id,
  dirty,
  doc,
  editable,
}: {
  id: string | undefined;
  dirty: boolean;
  doc: PipelineDocument;
  editable: boolean;
}): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: doc is the trigger, read fresh inside
  useEffect(() => {
    if (!id || !dirty || !editable) return;
    const t = setTimeout(() => {
      const saving = useDocument.getState().doc;
      void api.saveDraft(id, saving).then(() => useDocument.getState().markSaved(saving), report);
    }, 1500);
    return () => clearTimeout(t);
  }, [id, dirty, doc, editable]);

  useEffect(() => {
    if (!id) return;
    return () => {
      const s = useDocument.getState();
      if (s.id === id && s.dirty && !s.readOnly) void api.saveDraft(id, s.doc).then(() => useDocument.getState().markSaved(s.doc), report);
    };
  }, [id]);

  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      if (useDocument.getState().dirty) e.preventDefault();
    };
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, []);
}
