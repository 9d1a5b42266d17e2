import { describe, expect, it } from 'vitest';
import { attachmentOf, captionOf, codeErrorText } from '../../../../src/bot/features/tips/messages.js';
import { translatorFor } from '../../../../src/i18n.js';

const zh = translatorFor('zh-CN');
const units = [{ code: 'HPZ', nameZh: '鹤浦镇', nameEn: 'Hepu Town' }];

describe('intake messages', () => {
  it('explains a refused code with suggestions and an example, echoing only short input', () => {
    const text = codeErrorText(
      zh,
      { kind: 'unknown_unit', input: '鹤浦', suggestions: ['HPZ'] },
      'tip',
      units,
    );
    expect(text).toContain('鹤浦');
    expect(text).toContain('HPZ 鹤浦镇');
    expect(text).toContain('/tip F-HPZ');
    const long = codeErrorText(
      zh,
      { kind: 'unknown_domain', input: '这是一整句举报内容不应回显' },
      'log',
      units,
    );
    expect(long).not.toContain('这是一整句举报内容不应回显');
    expect(long).toContain('/log');
  });

  it('takes the largest photo size, or the file of a document, and the caption', () => {
    const photo = {
      message_id: 1,
      date: 0,
      chat: { id: 1, type: 'private' },
      photo: [
        { file_id: 'small', file_unique_id: 's', width: 1, height: 1 },
        { file_id: 'large', file_unique_id: 'l', width: 9, height: 9, file_size: 99 },
      ],
      caption: 'F-HPZ 说明',
    } as never;
    expect(attachmentOf(photo)).toEqual({
      fileKind: 'photo',
      fileId: 'large',
      fileUniqueId: 'l',
      fileSize: 99,
    });
    expect(captionOf(photo)).toBe('F-HPZ 说明');
    const doc = {
      message_id: 2,
      date: 0,
      chat: { id: 1, type: 'private' },
      document: { file_id: 'd', file_unique_id: 'u' },
    } as never;
    expect(attachmentOf(doc)).toEqual({
      fileKind: 'document',
      fileId: 'd',
      fileUniqueId: 'u',
      fileSize: null,
    });
    expect(
      attachmentOf({ message_id: 3, date: 0, chat: { id: 1, type: 'private' }, text: 'x' } as never),
    ).toBeNull();
  });
});
