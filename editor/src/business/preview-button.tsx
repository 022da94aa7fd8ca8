/**
 * "Preview" for the canvas toolbar: the current draft against the live version on the recorded
 * events, in a panel over the canvas. Self-contained so the toolbar mounts it in one line.
 */
import type { PipelineDocument } from '@sluice/shared';
import { Eye } from 'lucide-react';
import { useState } from 'react';
import { PreviewView } from './preview-view';

export function PreviewButton({
  pipelineId,
  document,
  disabled = false,
}: {
  pipelineId: string | undefined;
  document: PipelineDocument;
  disabled?: boolean;
}) {
  // The document as it was when pressed: edits on the canvas do not rerun it behind the reader's back.
  const [shown, setShown] = useState<PipelineDocument>();
  // Below the toolbar, whatever its height: the panel must not cover the buttons that made it.
  const [top, setTop] = useState(56);
  if (!pipelineId) return null;
  return (
    <>
      <button
        type="button"
        className="icon-button"
        onClick={(e) => {
          setTop(Math.round((e.currentTarget.closest('header')?.getBoundingClientRect().bottom ?? 48) + 8));
          setShown(document);
        }}
        disabled={disabled}
        title="Run this draft beside the live version on the recorded events (or the pinned samples, or a generator's own), without deploying"
      >
        <Eye size={15} aria-hidden="true" />
        Preview
      </button>
      {shown ? (
        <div className="biz-preview-overlay" style={{ top }} role="dialog" aria-label="Preview of the draft">
          <PreviewView pipelineId={pipelineId} document={shown} canSaveCase onClose={() => setShown(undefined)} />
        </div>
      ) : null}
    </>
  );
}
