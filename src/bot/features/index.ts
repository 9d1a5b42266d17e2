import type { Feature } from '../feature.js';
import { cancelFeature } from './cancel.js';
import { digestFeature } from './digest.js';
import { headsFeature } from './heads/index.js';
import { helpFeature } from './help.js';
import { peopleFeature } from './people.js';
import { queueFeature } from './queue/index.js';
import { revealFeature } from './reveal.js';
import { sectionChatFeature } from './section-chat.js';
import { tipsFeature } from './tips/index.js';

/** Every feature, in the order their handlers see an update. Adding a capability is one line here. */
export const features: readonly Feature[] = [
  sectionChatFeature,
  helpFeature,
  peopleFeature,
  cancelFeature,
  queueFeature,
  revealFeature,
  digestFeature,
  headsFeature,
  tipsFeature,
];
