#!/usr/bin/env node
// mermaid_parse.mjs NODE_DIR FILE...
//
// Parses every Mermaid diagram in FILEs (Markdown with ```mermaid fences,
// or raw diagrams one after another, each starting with a line
// "sequenceDiagram") with the real
// mermaid parser (mermaid.parse), run headless under jsdom. NODE_DIR holds
// node_modules/mermaid and node_modules/jsdom (check.sh installs them with
// npm into build/outputs/node). Exit 1 when any diagram does not parse.
import { createRequire } from 'module';
import { pathToFileURL } from 'url';
import fs from 'fs';
import path from 'path';

const [dir, ...files] = process.argv.slice(2);
const require = createRequire(path.resolve(dir) + '/');
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(
  pathToFileURL(path.resolve(dir, 'node_modules/mermaid/dist/mermaid.core.mjs')).href);
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let n = 0, bad = 0;
for (const f of files) {
  const text = fs.readFileSync(f, 'utf8');
  let diagrams = [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
  // not Markdown: raw diagrams one after another, each from its
  // "sequenceDiagram" line
  if (diagrams.length === 0 && !f.endsWith('.md'))
    diagrams = text.split(/^(?=sequenceDiagram$)/m).filter((s) => s.trim());
  for (const src of diagrams) {
    n++;
    try {
      const r = await mermaid.parse(src);
      if (!r || r.diagramType !== 'sequence')
        throw new Error('not a sequence diagram: ' + JSON.stringify(r));
      // the parsed model: one message per arrow line, no text lost to syntax
      const d = await mermaid.mermaidAPI.getDiagramFromText(src);
      // and one note per "Note over" line (conversation detail: SDP, states)
      const lines = src.split('\n');
      const arrows = lines.filter((l) => /^\s+P\d+-{1,2}>>P\d+: /.test(l)).length;
      const noteLines = lines.filter((l) => /^\s+Note over P\d+(,P\d+)?: /.test(l)).length;
      const NOTE = 2; // mermaid's LINETYPE.NOTE
      const parsed = d.db.getMessages();
      const msgs = parsed.filter((m) => m.from && m.to && m.type !== NOTE).length;
      const notes = parsed.filter((m) => m.type === NOTE).length;
      if (arrows !== msgs)
        throw new Error(`${arrows} arrow lines but ${msgs} messages parsed`);
      if (noteLines !== notes)
        throw new Error(`${noteLines} note lines but ${notes} notes parsed`);
    } catch (e) {
      bad++;
      console.log(`FAIL ${f}: diagram ${n}: ${String(e.message).split('\n').slice(0, 3).join(' | ')}`);
    }
  }
}
console.log(`mermaid_parse: ${n} diagrams, ${bad} failed`);
process.exit(bad || n === 0 ? 1 : 0);
