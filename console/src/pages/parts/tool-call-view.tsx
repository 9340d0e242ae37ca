// One tool call of a run step: a function's arguments and output, file_search results with their scores and
// chunks, code_interpreter code with its logs and images.
import type { ToolCallView } from '../../lib/run-timeline.ts';
import { formatScore } from '../../lib/format.ts';
import { FileImage, FileLink } from './file-content.tsx';

function FunctionCall(props: { call: Extract<ToolCallView, { type: 'function' }> }) {
  const { call } = props;
  return (
    <div class="tool-call">
      <h4>
        Function <code>{call.name}</code> <span class="hint">{call.id}</span>
      </h4>
      <div class="label">Arguments</div>
      <pre aria-label={`Arguments of ${call.name}`}>{call.arguments}</pre>
      <div class="label">Output</div>
      {call.output === null ? <p class="hint">No output yet.</p> : <pre aria-label={`Output of ${call.name}`}>{call.output}</pre>}
    </div>
  );
}

function FileSearchCall(props: { call: Extract<ToolCallView, { type: 'file_search' }> }) {
  const { results } = props.call;
  return (
    <div class="tool-call">
      <h4>
        file_search <span class="hint">{props.call.id}</span>
      </h4>
      {results.length ? (
        <ol aria-label="File search results" class="hits">
          {results.map((r, i) => (
            <li key={i}>
              <FileLink fileId={r.file_id} name={r.file_name} /> <span class="score">score {formatScore(r.score)}</span>
              {r.text ? <pre>{r.text}</pre> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p class="hint">No results.</p>
      )}
    </div>
  );
}

function CodeCall(props: { call: Extract<ToolCallView, { type: 'code_interpreter' }> }) {
  const { call } = props;
  return (
    <div class="tool-call">
      <h4>
        code_interpreter <span class="hint">{call.id}</span>
      </h4>
      <div class="label">Code</div>
      <pre class="code" aria-label="Code">{call.code}</pre>
      {call.logs.length ? (
        <>
          <div class="label">Logs</div>
          <pre aria-label="Logs">{call.logs.join('')}</pre>
        </>
      ) : null}
      {call.imageFileIds.map((id) => (
        <FileImage key={id} fileId={id} alt={`code_interpreter image ${id}`} />
      ))}
    </div>
  );
}

export function ToolCallDetails(props: { call: ToolCallView }) {
  const { call } = props;
  if (call.type === 'function') return <FunctionCall call={call} />;
  if (call.type === 'file_search') return <FileSearchCall call={call} />;
  return <CodeCall call={call} />;
}
