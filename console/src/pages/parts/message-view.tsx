// One thread message as a turn of the conversation: its text with citations linked to their files, image files
// inline, and its attachments.
import type { Message, MessageContent } from 'openai/resources/beta/threads/messages';
import { splitAnnotated } from '../../lib/annotations.ts';
import { formatTime } from '../../lib/format.ts';
import { FileImage, FileLink } from './file-content.tsx';

function ContentPart(props: { part: MessageContent }) {
  const { part } = props;
  switch (part.type) {
    case 'text':
      return (
        <div class="text">
          {splitAnnotated(part.text.value, part.text.annotations).map((seg, i) =>
            'fileId' in seg ? (
              <sup key={i}>
                <FileLink fileId={seg.fileId}>{`[${seg.n}]`}</FileLink>
                <span class="visually-hidden">{seg.text}</span>
              </sup>
            ) : (
              <span key={i}>{seg.text}</span>
            ),
          )}
        </div>
      );
    case 'image_file':
      return <FileImage fileId={part.image_file.file_id} alt={`Image ${part.image_file.file_id}`} />;
    case 'image_url':
      return <img class="file-image" src={part.image_url.url} alt="Image from a URL" />;
    case 'refusal':
      return <div class="text error">Refused: {part.refusal}</div>;
  }
}

export function MessageView(props: { message: Message }) {
  const m = props.message;
  return (
    <li class={`turn ${m.role}`} aria-label={`${m.role} message ${m.id}`}>
      <div class="who">
        {m.role}
        <span class="meta"> · {formatTime(m.created_at)}{m.run_id ? ` · ${m.run_id}` : ''}{m.status !== 'completed' ? ` · ${m.status}` : ''}</span>
      </div>
      {m.content.map((part, i) => (
        <ContentPart key={i} part={part} />
      ))}
      {m.attachments?.length ? (
        <div class="meta">
          Attachments:{' '}
          {m.attachments.flatMap((a) =>
            a.file_id
              ? [
                  <span key={a.file_id}>
                    <FileLink fileId={a.file_id} /> ({(a.tools ?? []).map((t) => t.type).join(', ')}){' '}
                  </span>,
                ]
              : [],
          )}
        </div>
      ) : null}
    </li>
  );
}
