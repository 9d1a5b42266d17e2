import type { Feature } from '../feature.js';
import { cancelFeature } from './cancel.js';
import { digestFeature } from './digest.js';
import { helpFeature } from './help.js';
import { queueFeature } from './queue/index.js';
import { tipsFeature } from './tips/index.js';

/** Every feature, in the order their handlers see an update. Adding a capability is one line here. */
export const features: readonly Feature[] = [helpFeature, cancelFeature, queueFeature, digestFeature, tipsFeature];
