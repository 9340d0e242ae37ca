// The playground's conversation: the transcript, the driver of the chosen API mode, the answer streaming now
// (Stop aborts it), and the function calls waiting for outputs typed in the page.
import { useMemo, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api.ts';
import { streamAnswer, type Transcript, type TurnView } from './answer.ts';
import { assistantsDriver } from './assistants-driver.ts';
import { chatDriver } from './chat-driver.ts';
import type { Driver, Mode, Outcome, Settings, Sink, ToolCall, ToolOutput } from './driver.ts';
import { responsesDriver } from './responses-driver.ts';

const DRIVERS: Record<Mode, () => Driver> = { chat: chatDriver, responses: responsesDriver, assistants: assistantsDriver };

export function useConversation(mode: Mode) {
  const [turns, setTurns] = useState<TurnView[]>([]);
  const [pending, setPending] = useState<ToolCall[]>([]);
  const [busy, setBusy] = useState(false);
  const nextKey = useRef(0);
  const abort = useRef<AbortController>();
  const driver = useRef<Driver>(DRIVERS[mode]());

  const transcript: Transcript = useMemo(
    () => ({
      add(role, text) {
        const key = nextKey.current++;
        setTurns((ts) => [...ts, { key, role, text }]);
        return key;
      },
      append: (key, text) => setTurns((ts) => ts.map((t) => (t.key === key ? { ...t, text: t.text + text } : t))),
      setMeta: (key, meta) => setTurns((ts) => ts.map((t) => (t.key === key ? { ...t, meta } : t))),
    }),
    [],
  );

  async function run(answer: (sink: Sink, signal: AbortSignal) => Promise<Outcome>): Promise<void> {
    const controller = new AbortController();
    abort.current = controller;
    setBusy(true);
    try {
      const outcome = await streamAnswer({ transcript, signal: controller.signal, answer: (sink) => answer(sink, controller.signal) });
      if (outcome) setPending(outcome.toolCalls);
      else await driver.current.stopped?.();
    } catch (err) {
      transcript.add('error', errorMessage(err));
    } finally {
      abort.current = undefined;
      setBusy(false);
    }
  }

  return {
    turns,
    pending,
    busy,
    send(text: string, settings: Settings) {
      transcript.add('user', text);
      return run((sink, signal) => driver.current.send(text, settings, sink, signal));
    },
    submit(outputs: ToolOutput[], settings: Settings) {
      setPending([]);
      for (const o of outputs) transcript.add('output', o.output);
      return run((sink, signal) => driver.current.submit(outputs, settings, sink, signal));
    },
    stop: () => abort.current?.abort(),
    /** A new conversation (in `next` mode): a fresh driver and an empty transcript. */
    reset(next: Mode) {
      abort.current?.abort();
      driver.current = DRIVERS[next]();
      setTurns([]);
      setPending([]);
    },
  };
}
