/** The role x route table (route-matrix.ts), in the engine's own suite. */
import { describeRouteMatrix } from './route-matrix.js';

describeRouteMatrix();
