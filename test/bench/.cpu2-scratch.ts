import { Lexer, Parser, Composer, LineCounter } from 'yaml';
import { readFileSync } from 'node:fs';
const texts: string[] = JSON.parse(readFileSync('/tmp/mb/texts.json', 'utf8'));
function t(name: string, f: (s: string) => void) {
  const r: number[] = [];
  for (let k = 0; k < 5; k++) { const s = performance.now(); for (const x of texts) f(x); r.push(performance.now() - s); }
  r.sort((a, b) => a - b); console.log(name, r[2]!.toFixed(0));
}
t('lex', (s) => { for (const _ of new Lexer().lex(s)); });
t('parse', (s) => { for (const _ of new Parser().parse(s)); });
t('parse+lc', (s) => { const lc = new LineCounter(); for (const _ of new Parser(lc.addNewLine).parse(s)); });
t('compose', (s) => { const c = new Composer(); for (const tk of new Parser().parse(s)) for (const _ of c.next(tk)); for (const _ of c.end()); });
