#!/usr/bin/env node
// dom_check.js CHROMIUM REPORT.html EXPECTED_RECORDS ANSWERED HOSTILE.html PNG
//
// Loads sipscope HTML reports in headless Chromium (node stdlib only: the
// browser is driven with --dump-dom, which prints the DOM after the page's
// scripts ran, and --screenshot) and checks:
//   1. the page's own script ran (body data-ready, our document.title) and
//      lists EXPECTED_RECORDS records;
//   2. ladders are present with their arrows (<g class="msg ...">);
//   3. the filters work: preset from the URL fragment (#callid=..., the
//      script reads it), only the matching records stay visible;
//   4. the hostile report runs nothing it carries: the title is ours (an
//      injected script or handler would set it to PWNED), there is one
//      <script> element and no <img>, and the payload shows as text.
// A screenshot of the expanded report is written to PNG.
'use strict';
const { execFileSync } = require('child_process');
const { pathToFileURL } = require('url');
const fs = require('fs');
const path = require('path');

const [chromium, report, expected, answered, hostile, png] = process.argv.slice(2);
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-extensions', '--no-first-run', '--disable-sync', '--disable-default-apps',
  '--user-data-dir=' + fs.mkdtempSync(path.join(require('os').tmpdir(), 'sipscope-chromium-'))];

function dom(file, hash) {
  const url = pathToFileURL(path.resolve(file)).href + (hash ? '#' + hash : '');
  return execFileSync(chromium, [...flags, '--virtual-time-budget=3000', '--dump-dom', url],
    { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
}

// The <tbody class="rec" ...> start tags, visible or not.
function records(html) {
  return [...html.matchAll(/<tbody class="rec"([^>]*)>/g)].map((m) => ({
    attrs: m[1],
    hidden: /\shidden(="")?(\s|$)/.test(m[1]),
    callid: (m[1].match(/data-callid="([^"]*)"/) || [])[1],
    outcome: (m[1].match(/data-outcome="([^"]*)"/) || [])[1],
  }));
}
function title(html) {
  const m = html.match(/<title>([^<]*)<\/title>/);
  return m ? m[1] : '';
}
// Names of every attribute of every element (the serialized DOM quotes
// every value with "..." and escapes '"' inside it).
function attributeNames(html) {
  const names = [];
  for (const t of html.matchAll(/<[a-zA-Z][\w-]*((?:\s+[^\s=>"'\/]+(?:="[^"]*")?)*)\s*\/?>/g))
    for (const a of t[1].matchAll(/\s([^\s=>"'\/]+)(?:="[^"]*")?/g))
      names.push(a[1]);
  return names;
}
function unescapeAttr(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// 1, 2
const d = dom(report);
const recs = records(d);
check(/<body[^>]*data-ready="1"/.test(d), 'page script ran (body data-ready="1")');
check(title(d) === `sipscope report: ${expected} records`, `title set by our script: "${title(d)}"`);
check(recs.length === Number(expected), `records listed: ${recs.length} (expected ${expected})`);
check(recs.every((r) => !r.hidden), 'no filter: all records visible');
const arrows = (d.match(/<g class="msg /g) || []).length;
check(arrows > 0, `ladder arrows present: ${arrows}`);
check((d.match(/<svg [^>]*class="ladder"/g) || []).length === recs.length, 'one ladder per record');

// 3: filters
if (recs.length > 0) {
  const cid = unescapeAttr(recs[recs.length - 1].callid);
  const f = records(dom(report, 'callid=' + encodeURIComponent(cid)));
  const vis = f.filter((r) => !r.hidden);
  check(vis.length >= 1 && vis.every((r) => unescapeAttr(r.callid).includes(cid)),
    `Call-ID filter leaves only matching records (${vis.length} visible)`);
  const o = records(dom(report, 'outcome=answered')).filter((r) => !r.hidden);
  check(o.length === Number(answered) && o.every((r) => r.outcome === 'answered'),
    `outcome filter: ${o.length} answered visible (expected ${answered})`);
  const none = records(dom(report, 'callid=no-such-call-id-xyz')).filter((r) => !r.hidden);
  check(none.length === 0, 'filter with no match hides every record');
}

// 4: hostile
const h = dom(hostile, 'expand=all');
check(title(h) === `sipscope report: ${records(h).length} records`, `hostile: title is ours: "${title(h)}"`);
check(!title(h).includes('PWNED'), 'hostile: nothing set the document title to PWNED');
check((h.match(/<script[\s>]/g) || []).length === 1, 'hostile: exactly one <script> element (ours)');
check(!/<img[\s>]/.test(h), 'hostile: no <img> element');
check(attributeNames(h).every((a) => !/^on/i.test(a)), 'hostile: no event-handler attribute on any element');
check(h.includes('&lt;script&gt;document.title='), 'hostile: the payload is shown as text');
check(/<body[^>]*data-ready="1"/.test(h), 'hostile: page script still ran');

// screenshot of the expanded report
if (png) {
  fs.mkdirSync(path.dirname(png), { recursive: true });
  const url = pathToFileURL(path.resolve(report)).href + '#expand=all';
  execFileSync(chromium, [...flags, '--hide-scrollbars', '--window-size=1280,1800', '--virtual-time-budget=3000',
    '--screenshot=' + path.resolve(png), url], { stdio: 'ignore', timeout: 60000 });
  check(fs.existsSync(png) && fs.statSync(png).size > 1000, `screenshot written: ${png}`);
}

console.log(failures ? `dom_check: ${failures} FAILED` : 'dom_check: all passed');
process.exit(failures ? 1 : 0);
