import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ExtractionError, UnsupportedFileTypeError, extractText, parseDelimited } from './extract.js';

const text = (s: string) => Buffer.from(s, 'utf8');

async function samplePdf(pages: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const line of pages) pdf.addPage().drawText(line, { x: 50, y: 700, size: 12, font });
  return Buffer.from(await pdf.save());
}

async function sampleDocx(paragraphs: string[]): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })) }],
  });
  return Packer.toBuffer(doc);
}

describe('extractText', () => {
  it('should read the text of every page of a PDF', async () => {
    const bytes = await samplePdf(['The quick brown fox jumps over the lazy dog.', 'Refunds take 14 days.']);
    const out = await extractText({ filename: 'manual.pdf', bytes });
    assert.match(out, /The quick brown fox jumps over the lazy dog\./);
    assert.match(out, /Refunds take 14 days\./);
  });

  it('should read the paragraphs of a DOCX', async () => {
    const bytes = await sampleDocx(['Quarterly revenue grew by 12 percent.', 'Second paragraph.']);
    const out = await extractText({ filename: 'report.docx', bytes });
    assert.equal(out, 'Quarterly revenue grew by 12 percent.\n\nSecond paragraph.');
  });

  it('should turn HTML into text without markup, scripts or image references', async () => {
    const html =
      '<html><head><style>p{color:red}</style><script>var secret = 1</script></head><body>' +
      '<h1>Shipping Policy</h1><p>Orders ship in <b>two</b> days. <a href="https://x.test/a">Details</a>' +
      '<img src="logo.png" alt="logo"></p><table><tr><th>Zone</th><th>Days</th></tr><tr><td>EU</td><td>3</td></tr></table>' +
      '</body></html>';
    const out = await extractText({ filename: 'policy.html', bytes: text(html) });
    assert.match(out, /Shipping Policy/);
    assert.match(out, /Orders ship in two days\. Details/);
    assert.match(out, /Zone +Days/);
    assert.match(out, /EU +3/);
    for (const absent of ['<', 'secret', 'color', 'logo', 'https://']) assert.ok(!out.includes(absent), absent);
  });

  it('should pretty-print JSON so keys and values are searchable', async () => {
    const out = await extractText({ filename: 'data.json', bytes: text('{"sku":"A-1","tags":["red","blue"]}') });
    assert.equal(out, '{\n  "sku": "A-1",\n  "tags": [\n    "red",\n    "blue"\n  ]\n}');
  });

  it('should reject invalid JSON with an ExtractionError', async () => {
    await assert.rejects(extractText({ filename: 'data.json', bytes: text('{"sku": ') }), ExtractionError);
  });

  it('should keep the CSV header and put each row on its own line', async () => {
    const csv = 'name,city,note\r\nAda,London,"likes ""tea"", math"\r\nAlan,"Wilmslow","multi\nline"\r\n';
    const out = await extractText({ filename: 'people.csv', bytes: text(csv) });
    assert.equal(out, 'name | city | note\nAda | London | likes "tea", math\nAlan | Wilmslow | multi line');
  });

  it('should split TSV on tabs', () => {
    assert.deepEqual(parseDelimited('a\tb\n1\t2\n', '\t'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('should read Markdown and source code as UTF-8 text', async () => {
    const md = '# Título\n\nCafé — naïve résumé.\n';
    assert.equal(await extractText({ filename: 'README.md', bytes: text(md) }), md);
    const py = 'def add(a, b):\n    return a + b\n';
    assert.equal(await extractText({ filename: 'math.py', bytes: text(py) }), py);
    assert.equal(await extractText({ filename: 'notes.TXT', bytes: text('\uFEFFbom stripped') }), 'bom stripped');
  });

  it('should fall back to the MIME type when the extension is unknown', async () => {
    assert.equal(await extractText({ filename: 'LICENSE', bytes: text('MIT'), mimeType: 'text/plain' }), 'MIT');
    const json = await extractText({ filename: 'payload', bytes: text('[1]'), mimeType: 'application/json' });
    assert.equal(json, '[\n  1\n]');
  });

  it('should refuse an unsupported extension with OpenAI-style wording', async () => {
    await assert.rejects(extractText({ filename: 'archive.xyz', bytes: text('x') }), (err: unknown) => {
      assert.ok(err instanceof UnsupportedFileTypeError);
      assert.match(err.message, /^Files with extension \[\.xyz\] are not supported for retrieval\./);
      return true;
    });
    await assert.rejects(extractText({ filename: 'photo.png', bytes: Buffer.from([0x89, 0x50]) }), UnsupportedFileTypeError);
  });

  it('should report a corrupt PDF as an ExtractionError', async () => {
    const err = await extractText({ filename: 'broken.pdf', bytes: text('%PDF-1.4 this is not a pdf') }).catch((e) => e);
    assert.ok(err instanceof ExtractionError);
    assert.match(err.message, /Could not read PDF broken\.pdf/);
  });

  it('should report a corrupt DOCX as an ExtractionError', async () => {
    await assert.rejects(extractText({ filename: 'broken.docx', bytes: text('not a zip file') }), ExtractionError);
  });

  it('should report binary content in a text file as an ExtractionError', async () => {
    const invalidUtf8 = Buffer.from([0x81, 0x80, 0x10, 0xc3, 0x28]);
    await assert.rejects(extractText({ filename: 'data.txt', bytes: invalidUtf8 }), ExtractionError);
    await assert.rejects(extractText({ filename: 'main.c', bytes: Buffer.from('int\u0000main') }), ExtractionError);
  });
});
