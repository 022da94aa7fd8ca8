/** The role x route table in the security suite: the same table as the engine's, imported. */
import { describeRouteMatrix } from '@sluice/engine/testing';

describeRouteMatrix();
