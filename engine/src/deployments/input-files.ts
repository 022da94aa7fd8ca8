/**
 * Input files a deploy needs: every `path` in the config of a node that is not a sink (a
 * source's file, enrich's table) must name an existing file. Missing, it is the user's error
 * (a 422 naming the node and config path, docs/api.md), not the server's: checked before the
 * run starts, where an operator's open would otherwise fail as `start-failed`.
 */
import { statSync } from 'node:fs';
import type { Diagnostic, NodeTypeRegistry, PipelineDocument } from '@sluice/shared';
import { confinedPath, walk } from './path-confinement.js';

export interface InputFilesOptions {
  /** A hint for pipelines whose folder is the server's upload folder (`<data>/files/`). */
  uploadHint?: (path: string) => string;
}

export function missingInputs(
  document: PipelineDocument,
  baseDir: string,
  types: NodeTypeRegistry,
  o: InputFilesOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of document.nodes) {
    if (types.get(node.type)?.category === 'sink') continue;
    walk(node.config, 'config', (path, value) => {
      let absolute: string;
      try {
        absolute = confinedPath(value, baseDir);
      } catch {
        return; // a NUL byte: the path policy reports it
      }
      if (isFile(absolute)) return;
      const hint = o.uploadHint ? `; ${o.uploadHint(value)}` : '';
      out.push({
        severity: 'error',
        code: 'input-missing',
        nodeId: node.id,
        path,
        message: `input file ${JSON.stringify(value)} does not exist in the pipeline's folder${hint}`,
      });
    });
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
