// The parameters of the Bot API methods the bot calls (https://core.telegram.org/bots/api), so the
// strict fake can answer a missing or mistyped one with Telegram's 400 and report the ones Telegram
// would silently ignore (a stray field in a multipart body, a misspelt option).

type Kind = 'chat' | 'int' | 'string' | 'bool' | 'object' | 'array' | 'file' | 'markup';

interface MethodSpec {
  required: Record<string, Kind>;
  optional: Record<string, Kind>;
}

// Options every send* method takes.
const SEND_COMMON: Record<string, Kind> = {
  business_connection_id: 'string',
  message_thread_id: 'int',
  disable_notification: 'bool',
  protect_content: 'bool',
  allow_paid_broadcast: 'bool',
  message_effect_id: 'string',
  reply_parameters: 'object',
  reply_markup: 'markup',
  // Older names Telegram still accepts.
  reply_to_message_id: 'int',
  allow_sending_without_reply: 'bool',
};
const CAPTIONED: Record<string, Kind> = {
  caption: 'string',
  parse_mode: 'string',
  caption_entities: 'array',
  show_caption_above_media: 'bool',
};

function media(field: string, extra: Record<string, Kind> = {}): MethodSpec {
  return {
    required: { chat_id: 'chat', [field]: 'file' },
    optional: { ...SEND_COMMON, ...CAPTIONED, thumbnail: 'file', has_spoiler: 'bool', ...extra },
  };
}

const METHODS: Record<string, MethodSpec> = {
  getme: { required: {}, optional: {} },
  logout: { required: {}, optional: {} },
  close: { required: {}, optional: {} },
  getupdates: {
    required: {},
    optional: { offset: 'int', limit: 'int', timeout: 'int', allowed_updates: 'array' },
  },
  setwebhook: {
    required: { url: 'string' },
    optional: {
      certificate: 'file',
      ip_address: 'string',
      max_connections: 'int',
      allowed_updates: 'array',
      drop_pending_updates: 'bool',
      secret_token: 'string',
    },
  },
  deletewebhook: { required: {}, optional: { drop_pending_updates: 'bool' } },
  getwebhookinfo: { required: {}, optional: {} },
  setmycommands: { required: { commands: 'array' }, optional: { scope: 'object', language_code: 'string' } },
  deletemycommands: { required: {}, optional: { scope: 'object', language_code: 'string' } },
  getmycommands: { required: {}, optional: { scope: 'object', language_code: 'string' } },
  answercallbackquery: {
    required: { callback_query_id: 'string' },
    optional: { text: 'string', show_alert: 'bool', url: 'string', cache_time: 'int' },
  },
  sendmessage: {
    required: { chat_id: 'chat', text: 'string' },
    optional: {
      ...SEND_COMMON,
      parse_mode: 'string',
      entities: 'array',
      link_preview_options: 'object',
      disable_web_page_preview: 'bool',
    },
  },
  sendphoto: media('photo'),
  senddocument: media('document', { disable_content_type_detection: 'bool' }),
  sendvideo: media('video', {
    duration: 'int',
    width: 'int',
    height: 'int',
    cover: 'file',
    start_timestamp: 'int',
    supports_streaming: 'bool',
  }),
  sendaudio: media('audio', { duration: 'int', performer: 'string', title: 'string' }),
  sendvoice: media('voice', { duration: 'int' }),
  sendvideonote: media('video_note', { duration: 'int', length: 'int' }),
  sendmediagroup: {
    required: { chat_id: 'chat', media: 'array' },
    optional: { ...SEND_COMMON },
  },
  sendchataction: {
    required: { chat_id: 'chat', action: 'string' },
    optional: { business_connection_id: 'string', message_thread_id: 'int' },
  },
  editmessagetext: {
    required: { text: 'string' },
    optional: {
      business_connection_id: 'string',
      chat_id: 'chat',
      message_id: 'int',
      inline_message_id: 'string',
      parse_mode: 'string',
      entities: 'array',
      link_preview_options: 'object',
      disable_web_page_preview: 'bool',
      reply_markup: 'markup',
    },
  },
  editmessagereplymarkup: {
    required: {},
    optional: {
      business_connection_id: 'string',
      chat_id: 'chat',
      message_id: 'int',
      inline_message_id: 'string',
      reply_markup: 'markup',
    },
  },
  editmessagecaption: {
    required: {},
    optional: {
      business_connection_id: 'string',
      chat_id: 'chat',
      message_id: 'int',
      inline_message_id: 'string',
      reply_markup: 'markup',
      ...CAPTIONED,
    },
  },
  deletemessage: { required: { chat_id: 'chat', message_id: 'int' }, optional: {} },
  copymessage: {
    required: { chat_id: 'chat', from_chat_id: 'chat', message_id: 'int' },
    optional: { ...SEND_COMMON, ...CAPTIONED, video_start_timestamp: 'int' },
  },
  forwardmessage: {
    required: { chat_id: 'chat', from_chat_id: 'chat', message_id: 'int' },
    optional: {
      message_thread_id: 'int',
      disable_notification: 'bool',
      protect_content: 'bool',
      video_start_timestamp: 'int',
    },
  },
  getfile: { required: { file_id: 'string' }, optional: {} },
  getchat: { required: { chat_id: 'chat' }, optional: {} },
  leavechat: { required: { chat_id: 'chat' }, optional: {} },
  getchatmember: { required: { chat_id: 'chat', user_id: 'int' }, optional: {} },
  getchatadministrators: { required: { chat_id: 'chat' }, optional: {} },
  getchatmembercount: { required: { chat_id: 'chat' }, optional: {} },
  banchatmember: {
    required: { chat_id: 'chat', user_id: 'int' },
    optional: { until_date: 'int', revoke_messages: 'bool' },
  },
  unbanchatmember: { required: { chat_id: 'chat', user_id: 'int' }, optional: { only_if_banned: 'bool' } },
};

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'chat':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^(-?\d+|@\w{4,})$/.test(value))
      );
    case 'int':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
      );
    case 'string':
      return typeof value === 'string' || typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'object':
    case 'markup':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'file':
      return typeof value === 'string' || (typeof value === 'object' && value !== null);
  }
}

/**
 * Checks a call's parameters as Telegram would: a missing or mistyped parameter is a 400 (its
 * description in `error`); parameters the method does not have are listed in `unknown` (Telegram
 * ignores them). Methods not listed here are not checked.
 */
export function checkParameters(
  method: string,
  params: Record<string, unknown>,
): { error?: string; unknown: string[] } {
  const spec = METHODS[method.toLowerCase()];
  if (!spec) return { unknown: [] };
  const unknown = Object.keys(params).filter(
    (name) => !(name in spec.required) && !(name in spec.optional) && !/^[a-z0-9]{8,}$/i.test(name),
  );
  for (const [name, kind] of Object.entries(spec.required)) {
    if (params[name] === undefined || params[name] === '') {
      return { error: name === 'chat_id' ? 'chat_id is empty' : `parameter "${name}" is required`, unknown };
    }
  }
  for (const [name, value] of Object.entries(params)) {
    const kind = spec.required[name] ?? spec.optional[name];
    if (kind && value !== undefined && value !== null && !hasKind(value, kind)) {
      return {
        error: `field "${name}" must be of type ${kind === 'chat' ? 'Integer or String' : kind}`,
        unknown,
      };
    }
  }
  return { unknown };
}
