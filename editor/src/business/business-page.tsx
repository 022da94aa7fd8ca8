/** The business users' page of a pipeline: exposed params and rule tables, no graph. */
export function BusinessPage({ pipelineId, role }: { pipelineId: string; role: string }) {
  return (
    <div className="biz-page" data-testid="business-page">
      <h1>{pipelineId}</h1>
      <p className="hint">signed in as {role}</p>
    </div>
  );
}
