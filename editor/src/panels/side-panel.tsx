/** The side panel's frame: a strip with a button collapses it, so a narrow screen keeps its canvas. */
import { PanelRightClose, PanelRightOpen } from 'lucide-react';
import type { ReactNode } from 'react';
import { useUi } from '../stores/ui-store';

export function SidePanel({ children }: { children: ReactNode }) {
  const open = useUi((s) => s.panelOpen);
  const toggle = () => useUi.getState().setPanels({ panelOpen: !open });
  return (
    <div className={`side${open ? '' : ' collapsed'}`}>
      <button
        type="button"
        className="collapse-toggle"
        onClick={toggle}
        aria-expanded={open}
        aria-label={open ? 'Collapse the side panel' : 'Expand the side panel'}
        title={open ? 'Collapse the side panel' : 'Expand the side panel'}
      >
        {open ? <PanelRightClose size={15} aria-hidden="true" /> : <PanelRightOpen size={15} aria-hidden="true" />}
      </button>
      {open ? children : null}
    </div>
  );
}
