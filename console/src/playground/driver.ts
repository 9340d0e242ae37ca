// What the playground asks of each API mode. A driver keeps its own conversation state (the chat history, the
// previous response id, the thread) and streams one answer per call, reporting text as it arrives.

export type Mode = 'chat' | 'responses' | 'assistants';

export interface FunctionTool {
  name: string;
  description: string;
  /** JSON schema of the arguments, as typed in the page (parsed when the request is built). */
  parameters: string;
}

export interface Settings {
  model: string;
  system: string;
  functions: readonly FunctionTool[];
  /** file_search over this vector store (Responses and Assistants modes). */
  vectorStoreId?: string;
  codeInterpreter: boolean;
  assistantId?: string;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Usage {
  input: number;
  output: number;
  total: number;
}

/** What an answer reports while it streams. */
export interface Sink {
  text(delta: string): void;
  /** A built-in tool the server ran (file_search, code_interpreter), shown in the transcript. */
  note(text: string): void;
}

/** An answer's end: its usage, and the function calls the page must answer before the model goes on. */
export interface Outcome {
  usage?: Usage;
  toolCalls: ToolCall[];
}

export interface ToolOutput {
  id: string;
  output: string;
}

export interface Driver {
  send(text: string, settings: Settings, sink: Sink, signal: AbortSignal): Promise<Outcome>;
  submit(outputs: readonly ToolOutput[], settings: Settings, sink: Sink, signal: AbortSignal): Promise<Outcome>;
  /** Called after Stop: e.g. cancel the run the aborted stream belonged to. */
  stopped?(): Promise<void>;
}

/** The declared functions as JSON-schema parameters; a schema that does not parse names its function. */
export function parsedFunctions(functions: readonly FunctionTool[]): Array<{ name: string; description: string; parameters: Record<string, unknown> }> {
  return functions
    .filter((f) => f.name.trim() !== '')
    .map((f) => {
      let parameters: Record<string, unknown>;
      try {
        parameters = f.parameters.trim() ? (JSON.parse(f.parameters) as Record<string, unknown>) : { type: 'object', properties: {} };
      } catch {
        throw new Error(`The parameters of ${f.name} are not valid JSON.`);
      }
      return { name: f.name.trim(), description: f.description, parameters };
    });
}
