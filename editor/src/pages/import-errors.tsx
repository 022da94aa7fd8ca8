/** Why an import was refused (or what a draft it imported still lacks), one line per reason. */
export function ImportErrors({ title, lines, onClose }: { title: string; lines: string[]; onClose: () => void }) {
  if (lines.length === 0) return null;
  return (
    <div className="import-errors" role="alert" data-testid="import-errors">
      <strong>{title}</strong>
      <ul>
        {lines.slice(0, 20).map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines may repeat; the list never reorders
          <li key={i}>{l}</li>
        ))}
        {lines.length > 20 ? <li>… and {lines.length - 20} more</li> : null}
      </ul>
      <button type="button" onClick={onClose}>
        Dismiss
      </button>
    </div>
  );
}
