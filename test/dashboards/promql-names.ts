// Which metric names does a PromQL expression read? Small and deliberate: strip what cannot be a metric name
// (strings, comments, label matchers, label lists of by/without/on/ignoring/group_*, ranges, numbers, Grafana
// variables), then every remaining identifier not followed by "(" and not a keyword is a metric name.
// Selectors written as {__name__="..."} count too.

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool',
  'inf', 'nan', 'start', 'end', 'atan2',
]);

function stripStringsAndComments(expr: string): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += c !== '`' && expr[j] === '\\' ? 2 : 1;
      out += '""';
      i = j + 1;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Metric names selected with {__name__="x"} or {__name__=~"a|b"} (plain alternatives only). */
function namesFromNameMatchers(expr: string): string[] {
  const names: string[] = [];
  for (const m of expr.matchAll(/__name__\s*=~?\s*"([^"]*)"/g)) {
    for (const alt of m[1]!.split('|')) if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(alt)) names.push(alt);
  }
  return names;
}

export function metricNamesInPromQL(expr: string): string[] {
  const names = new Set<string>(namesFromNameMatchers(expr));
  let s = stripStringsAndComments(expr);
  s = s.replace(/\{[^{}]*\}/g, ' '); // label matchers (strings are gone, so no braces inside)
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, ' ');
  s = s.replace(/\[[^\][]*\]/g, ' '); // ranges and subqueries: [5m], [$__rate_interval], [1h:5m]
  s = s.replace(/\$\{[^}]*\}|\$\w+/g, ' '); // Grafana variables outside matchers
  s = s.replace(/\boffset\s+-?[0-9a-z]+/gi, ' ');
  s = s.replace(/@\s*(start\(\)|end\(\)|[0-9.e+-]+)/gi, ' ');
  s = s.replace(/(^|[^a-zA-Z0-9_:])(0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?[a-z]*)/gi, '$1 '); // numbers, durations
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const rest = s.slice(m.index! + word.length);
    if (/^\s*\(/.test(rest)) continue; // function or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** Grafana Prometheus variable queries: label_values(selector, label), label_values(label), query_result(expr). */
export function metricNamesInVariableQuery(query: string): string[] {
  const q = query.trim();
  let m = /^label_values\(\s*(.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/s.exec(q);
  if (m) return metricNamesInPromQL(m[1]!);
  if (/^label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/.test(q)) return [];
  if (/^label_names\(.*\)$/s.test(q)) return [];
  m = /^query_result\((.*)\)$/s.exec(q);
  if (m) return metricNamesInPromQL(m[1]!);
  m = /^metrics\((.*)\)$/s.exec(q);
  if (m) return [];
  return metricNamesInPromQL(q);
}
