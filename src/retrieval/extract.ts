import { extname } from 'node:path';
import { convert as htmlToText } from 'html-to-text';
import mammoth from 'mammoth';
import { extractText as extractPdfText, getDocumentProxy } from 'unpdf';

/** The file's type cannot be indexed for file_search (OpenAI's message). */
export class UnsupportedFileTypeError extends Error {
  override readonly name = 'UnsupportedFileTypeError';
  constructor(readonly extension: string) {
    super(
      `Files with extension [${extension || 'none'}] are not supported for retrieval. ` +
        'See https://platform.openai.com/docs/assistants/tools/file-search#supported-files',
    );
  }
}

/** The file claims a supported type but its content cannot be read (corrupt, binary, wrong encoding). */
export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';
}

type Kind = 'text' | 'html' | 'json' | 'csv' | 'tsv' | 'pdf' | 'docx';

const TEXT_EXTENSIONS = [
  // prose and markup read as plain text
  'txt', 'text', 'md', 'markdown', 'mdx', 'rst', 'adoc', 'org', 'log', 'tex', 'bib', 'xml', 'yaml', 'yml', 'toml',
  'ini', 'cfg', 'conf', 'properties',
  // source code
  'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'cs', 'java', 'kt', 'kts', 'scala', 'groovy', 'go', 'rs', 'swift',
  'm', 'mm', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'vue', 'svelte', 'py', 'pyi', 'rb', 'php',
  'pl', 'pm', 'lua', 'r', 'jl', 'dart', 'ex', 'exs', 'erl', 'hs', 'clj', 'fs', 'sh', 'bash', 'zsh', 'ps1', 'bat',
  'sql', 'css', 'scss', 'sass', 'less', 'graphql', 'proto', 'tf', 'cmake', 'gradle', 'dockerfile', 'makefile',
];

const BY_EXTENSION: Record<string, Kind> = {
  ...Object.fromEntries(TEXT_EXTENSIONS.map((ext) => [ext, 'text' as const])),
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  json: 'json',
  csv: 'csv',
  tsv: 'tsv',
  pdf: 'pdf',
  docx: 'docx',
};

const BY_MIME: Record<string, Kind> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/json': 'json',
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
};

function kindOf(filename: string, mimeType: string | undefined): { kind?: Kind; extension: string } {
  const dotted = extname(filename).toLowerCase();
  const ext = dotted.slice(1) || filename.toLowerCase(); // "Dockerfile", "Makefile"
  const byExt = BY_EXTENSION[ext];
  if (byExt) return { kind: byExt, extension: dotted };
  const mime = mimeType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return { kind: BY_MIME[mime] ?? (mime.startsWith('text/') ? 'text' : undefined), extension: dotted };
}

/**
 * The searchable text of a file, chosen by extension (then by MIME type when the extension is
 * unknown). Throws UnsupportedFileTypeError or ExtractionError.
 */
export async function extractText(file: { filename: string; bytes: Buffer; mimeType?: string }): Promise<string> {
  const { kind, extension } = kindOf(file.filename, file.mimeType);
  if (!kind) throw new UnsupportedFileTypeError(extension);
  const text = await extractKind(kind, file.bytes, file.filename);
  return text.replaceAll('\u0000', '');
}

async function extractKind(kind: Kind, bytes: Buffer, filename: string): Promise<string> {
  switch (kind) {
    case 'text':
      return decodeText(bytes, filename);
    case 'html':
      return htmlToText(decodeText(bytes, filename), {
        wordwrap: false,
        selectors: [
          { selector: 'img', format: 'skip' },
          { selector: 'a', options: { ignoreHref: true } },
          { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
          ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
        ],
      });
    case 'json':
      return prettyJson(decodeText(bytes, filename), filename);
    case 'csv':
    case 'tsv':
      return parseDelimited(decodeText(bytes, filename), kind === 'csv' ? ',' : '\t')
        .map((cells) => cells.join(' | '))
        .join('\n');
    case 'pdf':
      return pdfText(bytes, filename);
    case 'docx':
      return docxText(bytes, filename);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 (BOM stripped), or UTF-16 with a BOM; binary content is an ExtractionError. */
function decodeText(bytes: Buffer, filename: string): string {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    const text = utf8.decode(bytes); // drops a UTF-8 BOM
    if (text.includes('\u0000')) throw new TypeError('NUL byte');
    return text;
  } catch {
    throw new ExtractionError(`File ${filename} is not valid UTF-8 text (it looks binary).`);
  }
}

function prettyJson(text: string, filename: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (err) {
    throw new ExtractionError(`File ${filename} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** RFC 4180 rows: quoted fields may hold delimiters, doubled quotes and newlines (kept as spaces). */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch === '\r' || ch === '\n' ? ' ' : ch;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      endRow();
    } else if (ch !== '\r') {
      field += ch;
    }
  }
  endRow();
  return rows;
}

async function pdfText(bytes: Buffer, filename: string): Promise<string> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    // verbosity 0: pdf.js would otherwise warn on stdout about damaged files; no eval of font code.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
    const { text } = await extractPdfText(pdf, { mergePages: true });
    return text;
  } catch (err) {
    throw new ExtractionError(`Could not read PDF ${filename}: ${(err as Error).message}`, { cause: err });
  } finally {
    await pdf?.destroy();
  }
}

async function docxText(bytes: Buffer, filename: string): Promise<string> {
  try {
    const { value } = await mammoth.extractRawText({ buffer: bytes });
    return value.replace(/\n{3,}/g, '\n\n').trim();
  } catch (err) {
    throw new ExtractionError(`Could not read DOCX ${filename}: ${(err as Error).message}`, { cause: err });
  }
}
