// One run of a thread: status, timing, usage, last_error, its tool outputs form and Cancel while it goes, and its steps as a timeline (a list
// named "Run steps").
import type { Message } from 'openai/resources/beta/threads/messages';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep } from 'openai/resources/beta/threads/runs/steps';
import { splitAnnotated } from '../../lib/annotations.ts';
import { formatCount, formatTime } from '../../lib/format.ts';
import { runDuration, toTimeline, type StepView } from '../../lib/run-timeline.ts';
import { Facts } from './notes.tsx';
import { RunActions } from './run-actions.tsx';
import { ToolCallDetails } from './tool-call-view.tsx';

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null | undefined;

export function usageText(u: Usage): string {
  return u ? `${formatCount(u.total_tokens)} tokens (${formatCount(u.prompt_tokens)} in, ${formatCount(u.completion_tokens)} out)` : '—';
}

/** The message's text without its citation markers (the conversation beside the timeline shows those). */
function messageText(m: Message | undefined): string {
  if (!m) return '';
  const plain = (c: Message['content'][number]) =>
    c.type === 'text' ? splitAnnotated(c.text.value, c.text.annotations).map((seg) => ('fileId' in seg ? '' : seg.text)).join('') : '';
  return m.content.map(plain).join(' ');
}

function StepItem(props: { step: StepView; messages: readonly Message[] }) {
  const { step } = props;
  const message = step.messageId ? props.messages.find((m) => m.id === step.messageId) : undefined;
  return (
    <li class={`step ${step.status}`}>
      <div class="step-head">
        <strong>{step.title}</strong>
        <span class={`badge ${step.status}`}>{step.status}</span>
      </div>
      <div class="meta">
        {formatTime(step.created_at)} · {step.duration} · {usageText(step.usage)}
      </div>
      {step.messageId ? (
        <p class="step-message">
          Message <code>{step.messageId}</code>
          {message ? `: ${messageText(message).slice(0, 280)}` : ''}
        </p>
      ) : null}
      {step.toolCalls.map((call) => (
        <ToolCallDetails key={call.id} call={call} />
      ))}
      {step.lastError ? (
        <p class="error">
          {step.lastError.code}: {step.lastError.message}
        </p>
      ) : null}
    </li>
  );
}

export function RunCard(props: { run: Run; steps: readonly RunStep[]; messages: readonly Message[]; now: number }) {
  const { run } = props;
  const headingId = `run-${run.id}`;
  return (
    <article class="run card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Run <code>{run.id}</code> <span class={`badge ${run.status}`}>{run.status}</span>
      </h3>
      <Facts
        items={[
          ['Assistant', <code>{run.assistant_id}</code>],
          ['Model', run.model],
          ['Started', formatTime(run.started_at ?? run.created_at)],
          ['Duration', runDuration(run, props.now)],
          ['Usage', usageText(run.usage)],
        ]}
      />
      {run.last_error ? (
        <p class="error run-error">
          Last error ({run.last_error.code}): {run.last_error.message}
        </p>
      ) : null}
      {run.incomplete_details ? <p class="error">Incomplete: {run.incomplete_details.reason}</p> : null}
      <RunActions run={run} />
      <ol aria-label="Run steps" aria-describedby={headingId} class="timeline">
        {toTimeline(props.steps).map((step) => (
          <StepItem key={step.id} step={step} messages={props.messages} />
        ))}
      </ol>
    </article>
  );
}
