/**
 * "Save as test case" (docs/pipeline-tests.md): the events a preview ran on (the recording, else
 * pinned samples, else a generator's own) become a case's inputs, and what the saved version
 * sends from them its expectation (POST /api/pipelines/:id/tests). A later change that sends
 * something else fails the case, and, with `requireTestsOnDeploy`, its deploy is refused with
 * the diff. Editors and admins only: a case is the oracle a deploy is checked against.
 */
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import '../panels/samples.css';

const CASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export function SaveTestCase({ pipelineId, hint }: { pipelineId: string; hint?: string }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ text: string; error: boolean }>();
  const valid = CASE_NAME.test(name);
  const save = async () => {
    setBusy(true);
    setSaid(undefined);
    try {
      const r = await api.saveTestCase(pipelineId, { name, ...(description.trim() ? { description: description.trim() } : {}) });
      const count = (m: Record<string, number>) =>
        Object.entries(m)
          .map(([k, n]) => `${k}: ${n}`)
          .join(', ') || 'none';
      setSaid({
        text: `Test case "${r.case.name}" saved: inputs ${count(r.case.inputs)}; expected ${count(r.case.expected)}.`,
        error: false,
      });
      setOpen(false);
      setName('');
      setDescription('');
    } catch (err) {
      setSaid({ text: err instanceof ApiError ? err.message : String(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="save-case">
      {open ? (
        <form
          className="save-case-form"
          aria-label="Save as test case"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) void save();
          }}
        >
          <label className="field">
            <span className="field-name">case name</span>
            <input aria-label="Test case name" value={name} onChange={(e) => setName(e.target.value)} placeholder="surge-at-threshold" />
          </label>
          {name !== '' && !valid ? (
            <small className="field-error">1 to 64 letters, digits, _ . or -, not starting with . or -</small>
          ) : null}
          <label className="field">
            <span className="field-name">description (optional)</span>
            <input aria-label="Test case description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          {hint ? <p className="hint">{hint}</p> : null}
          <button type="submit" className="primary" disabled={!valid || busy}>
            {busy ? 'Saving…' : 'Save test case'}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button
          type="button"
          onClick={() => setOpen(true)}
          title="Keep these input events, with what the saved version sends from them, as a test case"
        >
          Save as test case
        </button>
      )}
      {said ? (
        <p className={said.error ? 'field-error' : 'hint'} role={said.error ? 'alert' : 'status'} data-testid="save-case-said">
          {said.text}
        </p>
      ) : null}
    </div>
  );
}
