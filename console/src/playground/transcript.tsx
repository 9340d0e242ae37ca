import { useEffect, useRef } from 'preact/hooks';
import type { TurnView } from './answer.ts';

const WHO: Record<TurnView['role'], string> = {
  user: 'You',
  assistant: 'Assistant',
  tool: 'Tool call',
  output: 'Tool output',
  note: 'Built-in tool',
  error: 'Error',
};

/** The conversation as a live log (screen readers announce what is added), scrolled to the newest turn. */
export function TranscriptLog(props: { turns: readonly TurnView[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.turns]);
  return (
    <div ref={ref} class="transcript" role="log" aria-label="Conversation" aria-live="polite">
      {props.turns.length === 0 && <p class="hint">Send a message to start.</p>}
      {props.turns.map((t) => (
        <article key={t.key} class={`turn ${t.role}`} aria-label={WHO[t.role]}>
          <div class="who">{WHO[t.role]}</div>
          <div class="text">{t.text}</div>
          {t.meta && <div class="meta">{t.meta}</div>}
        </article>
      ))}
    </div>
  );
}
