import type { AnnotationDelta } from 'openai/resources/beta/threads/messages';
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';

/**
 * The one-call chat's annotations: a Chat Completions message can only carry `url_citation`s, so
 * each file_citation and file_path of the run's messages becomes one, pointing at the cited or
 * written file's content (`GET /v1/files/{id}/content`, with the caller's key), over the same
 * characters of the answer.
 */

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** What a person calls the file: the source a citation marker names, the name of a written file. */
function titleOf(a: AnnotationDelta): string {
  const text = a.text ?? '';
  if (a.type === 'file_citation') return /†([^】]*)】$/.exec(text)?.[1] || text;
  return decode(text.slice(text.lastIndexOf('/') + 1)) || text;
}

/** `offset`: where the annotated message's text starts in the chat answer. */
export function toUrlCitation(a: AnnotationDelta, opts: { offset: number; apiBaseUrl: string }): ChatCompletionMessage.Annotation | null {
  const fileId = a.type === 'file_citation' ? a.file_citation?.file_id : a.file_path?.file_id;
  if (!fileId || a.start_index === undefined || a.end_index === undefined) return null;
  return {
    type: 'url_citation',
    url_citation: {
      start_index: opts.offset + a.start_index,
      end_index: opts.offset + a.end_index,
      title: titleOf(a),
      url: `${opts.apiBaseUrl}/files/${fileId}/content`,
    },
  };
}
