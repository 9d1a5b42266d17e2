import { type Telegram, TelegramError } from 'telegraf';

/** A file to send in a multipart Bot API call. */
export interface UploadPart {
  /** The method's file parameter: `photo`, `document`, … */
  field: string;
  name: string;
  bytes: Uint8Array;
}

/**
 * Calls a Bot API method that uploads a file, as multipart/form-data holding exactly the method's
 * parameters. telegraf's own multipart body adds a `method` field that is no parameter of any
 * method (Telegram ignores it today), so uploads are built here with the platform's fetch and
 * FormData; errors are telegraf's TelegramError, so the sender treats both paths alike.
 */
export async function callWithUpload(
  telegram: Telegram,
  method: string,
  payload: Record<string, unknown>,
  file: UploadPart,
  signal?: AbortSignal,
): Promise<unknown> {
  const form = new FormData();
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    // Multipart carries strings: objects (reply_markup, reply_parameters) go as JSON, as Telegram reads them.
    form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  form.append(file.field, new Blob([file.bytes]), file.name);
  const { apiRoot, apiMode, testEnv } = telegram.options;
  const url = new URL(`./${apiMode}${telegram.token}${testEnv ? '/test' : ''}/${method}`, apiRoot);
  const response = await fetch(url, { method: 'POST', body: form, signal });
  if (response.status >= 500) {
    throw new TelegramError({ error_code: response.status, description: response.statusText }, { method });
  }
  const data = (await response.json()) as {
    ok: boolean;
    result?: unknown;
    error_code?: number;
    description?: string;
    parameters?: Record<string, unknown>;
  };
  if (!data.ok) {
    throw new TelegramError(
      {
        error_code: data.error_code ?? response.status,
        description: data.description ?? response.statusText,
        ...(data.parameters ? { parameters: data.parameters } : {}),
      },
      { method },
    );
  }
  return data.result;
}
