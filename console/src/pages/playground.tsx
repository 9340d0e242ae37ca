import { useState } from 'preact/hooks';
import type { FunctionTool, Mode, Settings } from '../playground/driver.ts';
import { FileTools } from '../playground/file-tools.tsx';
import { FunctionToolsEditor } from '../playground/function-tools.tsx';
import { AssistantPicker, ModeSwitch, ModelPicker } from '../playground/settings-panel.tsx';
import { ToolOutputsForm } from '../playground/tool-outputs.tsx';
import { TranscriptLog } from '../playground/transcript.tsx';
import { useConversation } from '../playground/use-conversation.ts';

function Composer(props: { busy: boolean; waiting: boolean; onSend: (text: string) => void; onStop: () => void }) {
  const [text, setText] = useState('');
  const send = (e: Event) => {
    e.preventDefault();
    if (!text.trim() || props.busy || props.waiting) return;
    props.onSend(text);
    setText('');
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey) send(e);
  };
  return (
    <form class="composer" onSubmit={send}>
      <label for="pg-message">Message</label>
      <textarea id="pg-message" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} onKeyDown={onKeyDown} />
      <div class="row">
        <button type="submit" disabled={props.busy || props.waiting}>
          Send
        </button>
        <button type="button" class="secondary" disabled={!props.busy} onClick={props.onStop}>
          Stop
        </button>
      </div>
    </form>
  );
}

/** Try a model: Chat Completions, Responses or an Assistants thread, streamed, with tools declared right here. */
export function PlaygroundPage() {
  const [mode, setMode] = useState<Mode>('chat');
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [functions, setFunctions] = useState<FunctionTool[]>([]);
  const [vectorStoreId, setVectorStoreId] = useState<string>();
  const [codeInterpreter, setCodeInterpreter] = useState(false);
  const [assistantId, setAssistantId] = useState<string>();
  const conversation = useConversation(mode);
  const settings: Settings = { model, system, functions, vectorStoreId, codeInterpreter, assistantId };
  const switchMode = (next: Mode) => {
    setMode(next);
    conversation.reset(next);
  };
  return (
    <>
      <h1>Playground</h1>
      <div class="playground">
        <section class="settings" aria-label="Settings">
          <ModeSwitch mode={mode} onChange={switchMode} />
          <ModelPicker value={model} onChange={setModel} disabled={mode === 'assistants'} />
          {mode === 'assistants' && <AssistantPicker value={assistantId} onChange={setAssistantId} />}
          <label for="pg-system">System prompt</label>
          <textarea id="pg-system" rows={3} value={system} onInput={(e) => setSystem(e.currentTarget.value)} />
          <FunctionToolsEditor tools={functions} onChange={setFunctions} />
          {mode !== 'chat' && (
            <FileTools
              vectorStoreId={vectorStoreId}
              codeInterpreter={codeInterpreter}
              onVectorStore={setVectorStoreId}
              onCodeInterpreter={setCodeInterpreter}
            />
          )}
        </section>
        <section aria-label="Chat">
          <TranscriptLog turns={conversation.turns} />
          {conversation.pending.length > 0 && (
            <ToolOutputsForm calls={conversation.pending} onSubmit={(outputs) => void conversation.submit(outputs, settings)} />
          )}
          <Composer
            busy={conversation.busy}
            waiting={conversation.pending.length > 0}
            onSend={(text) => void conversation.send(text, settings)}
            onStop={conversation.stop}
          />
          <button type="button" class="link" onClick={() => conversation.reset(mode)}>
            New conversation
          </button>
        </section>
      </div>
    </>
  );
}
