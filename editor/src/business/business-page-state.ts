/**
 * The business page's state in one reducer: the loaded version and the draft on it, the text of
 * param inputs that are not (yet) values, the action under way and what it said, and the preview.
 * Pure, so each change can be tested without React.
 */
import type { ParamSpec, ParamValue, PipelineDocument } from '@sluice/shared';
import { paramProblem, setParam, setRulesConfig } from './draft';
import { NO_ERRORS, type PlacedErrors } from './place-errors';

export interface Loaded {
  doc: PipelineDocument;
  version: number;
  status: string;
  /**
   * What the running deployment uses, when one is recorded; `ended` when that run completed (a
   * bounded pipeline): its values are what last ran.
   */
  deployment?: { version: number; params: Record<string, ParamValue>; ended?: { at: string } } | null;
}

export interface BusinessPageState {
  loaded?: Loaded;
  draft?: PipelineDocument;
  loadError?: string;
  /** Text typed in a param input that is not (yet) an acceptable value: the draft keeps the last good one. */
  badParams: Record<string, { text: string; message: string }>;
  /** The action under way ('save', 'deploy'). */
  busy?: string;
  /** What the last action did, e.g. "Deployed.". */
  notice?: string;
  errors: PlacedErrors;
  /** The draft as it was when Preview was pressed. */
  preview?: PipelineDocument;
}

type BusinessPageAction =
  | { type: 'loaded'; loaded: Loaded }
  | { type: 'load-failed'; message: string }
  | { type: 'param-typed'; name: string; spec: ParamSpec; text: string; value: ParamValue }
  | { type: 'rules-edited'; nodeId: string; config: Record<string, unknown> }
  | { type: 'saved'; doc: PipelineDocument; version: number }
  | { type: 'deployed'; status: string; deployment: Loaded['deployment'] }
  | { type: 'action-started'; name: string }
  | { type: 'action-said'; notice: string }
  | { type: 'action-ended' }
  | { type: 'errors'; errors: PlacedErrors }
  | { type: 'discarded' }
  | { type: 'preview'; document: PipelineDocument | undefined };

export const INITIAL_STATE: BusinessPageState = { badParams: {}, errors: NO_ERRORS };

export function businessPageReducer(state: BusinessPageState, action: BusinessPageAction): BusinessPageState {
  switch (action.type) {
    case 'loaded':
      return { ...state, loaded: action.loaded, draft: action.loaded.doc, badParams: {}, loadError: undefined };
    case 'load-failed':
      return { ...state, loadError: action.message };
    case 'param-typed': {
      const problem = paramProblem(action.name, action.spec, action.value);
      const { [action.name]: _, ...rest } = state.badParams;
      if (problem) return { ...state, badParams: { ...rest, [action.name]: { text: action.text, message: problem } } };
      return { ...state, badParams: rest, draft: state.draft ? setParam(state.draft, action.name, action.value) : state.draft };
    }
    case 'rules-edited':
      return { ...state, draft: state.draft ? setRulesConfig(state.draft, action.nodeId, action.config) : state.draft };
    case 'saved':
      return {
        ...state,
        loaded: state.loaded ? { ...state.loaded, doc: action.doc, version: action.version } : state.loaded,
        draft: action.doc,
      };
    case 'deployed':
      return { ...state, loaded: state.loaded ? { ...state.loaded, status: action.status, deployment: action.deployment } : state.loaded };
    case 'action-started':
      return { ...state, busy: action.name, errors: NO_ERRORS, notice: undefined };
    case 'action-said':
      return { ...state, notice: action.notice };
    case 'action-ended':
      return { ...state, busy: undefined };
    case 'errors':
      return { ...state, errors: action.errors };
    case 'discarded':
      return { ...state, errors: NO_ERRORS, notice: undefined, preview: undefined };
    case 'preview':
      return { ...state, preview: action.document };
    default: {
      const unknown: never = action;
      return unknown;
    }
  }
}
