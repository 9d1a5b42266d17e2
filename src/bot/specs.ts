import type { Audience } from '../domain/roles.js';

/** Where a command may be used. */
export type ChatKind = 'private' | 'group';

/** A chat command, who may use it, and how it appears in the command menu. */
export interface CommandSpec {
  command: string;
  audience: readonly Audience[];
  /** i18n key of the one-line description in the command menu and /help. */
  descriptionKey: string;
  /** Shown in the command menu (default true). */
  menu?: boolean;
  chats?: readonly ChatKind[];
}

/** A button action (the first part of its callback data) and who may press it. */
export interface ActionSpec {
  action: string;
  audience: readonly Audience[];
}

/** What help texts and command menus read of a feature: the commands it declares. */
export interface CommandCatalogue {
  readonly commands: readonly CommandSpec[];
}
