// .NET regular expressions (machine.config bypass entries) to JavaScript.

export type RegexConversion = { ok: true; regex: RegExp } | { ok: false; unsupported: boolean; problem: string };

/**
 * Converts a .NET regular expression to a case-insensitive JavaScript RegExp with the same meaning on the text .NET
 * matches bypass entries against (one line, "scheme://host[:port]"). Translated: \A, \Z, \z anchors; (?'name'...) groups;
 * \k'name'; \e and \a; (?#comments); inline options i, m, s, n (no effect on one case-insensitive line). A "]" right
 * after "[" is a literal in .NET. Not translated (`unsupported`): atomic and balancing groups, conditionals, character
 * class subtraction, \G, \p{...}, the x and -i options. Anything else .NET or JavaScript refuses is `unsupported: false`.
 */
export function convertDotNetRegex(pattern: string): RegexConversion {
  const unsupported = (problem: string): RegexConversion => ({ ok: false, unsupported: true, problem });
  const invalid = (problem: string): RegexConversion => ({ ok: false, unsupported: false, problem });
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return invalid('it ends with a lone backslash');
      i++;
      // .NET lets any non-word character be escaped (digits are backreferences); an unknown letter or "_" is an error.
      if (!/[A-Za-z_]/.test(next)) {
        out += `\\${next}`;
        continue;
      }
      if ('dDwWsSbBnrtfv'.includes(next)) out += `\\${next}`;
      else if (next === 'A' && !inClass) out += '^';
      else if ((next === 'Z' || next === 'z') && !inClass) out += '$';
      else if (next === 'e') out += '\\x1B';
      else if (next === 'a') out += '\\x07';
      else if (next === 'x') {
        const hex = pattern.slice(i + 1, i + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return invalid('\\x must be followed by two hex digits');
        out += `\\x${hex}`;
        i += 2;
      } else if (next === 'u') {
        const hex = pattern.slice(i + 1, i + 5);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return invalid('\\u must be followed by four hex digits');
        out += `\\u${hex}`;
        i += 4;
      } else if (next === 'c') {
        const letter = pattern[i + 1];
        if (!letter || !/[A-Za-z]/.test(letter)) return invalid('\\c must be followed by a letter');
        out += `\\c${letter}`;
        i += 1;
      } else if (next === 'k' && !inClass) {
        const name = /^(?:<([^>]+)>|'([^']+)')/.exec(pattern.slice(i + 1));
        if (!name) return invalid('\\k must be followed by a group name in <> or \'\'');
        out += `\\k<${name[1] ?? name[2]}>`;
        i += name[0].length;
      } else if (next === 'G') return unsupported('\\G (match where the last match ended)');
      else if (next === 'p' || next === 'P') return unsupported('a Unicode category (\\p{...})');
      else return invalid(`unrecognised escape \\${next}`);
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '-' && pattern[i + 1] === '[') return unsupported('character class subtraction (-[...])');
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      // In .NET a "]" first in a class is a literal; in JavaScript "[]" is an empty class.
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (/^(?::|=|!|<=|<!)/.test(rest)) {
        out += '(?';
        i += 1;
        continue;
      }
      if (rest.startsWith('#')) {
        const end = pattern.indexOf(')', i);
        if (end < 0) return invalid('a (?# comment is not closed');
        i = end;
        continue;
      }
      if (rest.startsWith('>')) return unsupported('an atomic group (?>...)');
      if (rest.startsWith('(')) return unsupported('a conditional (?(...)...)');
      const named = /^(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(rest);
      if (named) {
        out += `(?<${named[1] ?? named[2]}>`;
        i += 1 + named[0].length;
        continue;
      }
      if (/^(?:<|')[^>']*-/.test(rest)) return unsupported('a balancing group (?<name-other>...)');
      const options = /^([imnsx]*)(?:-([imnsx]*))?([:)])/.exec(rest);
      if (options && (options[1] || options[2] !== undefined)) {
        const [, on = '', off = '', close] = options;
        if (on.includes('x') || off.includes('x')) return unsupported('the x (ignore white space) option');
        if (off.includes('i')) return unsupported('turning case-insensitivity off (-i)');
        // i is always on for bypass entries; m, s and n change nothing on a one-line text without backreferences.
        out += close === ':' ? '(?:' : '';
        i += 1 + options[0].length;
        continue;
      }
      return invalid('unrecognised grouping construct (?');
    }
    out += c;
  }
  if (inClass) return invalid('a [ character class is not closed');
  try {
    return { ok: true, regex: new RegExp(out, 'i') };
  } catch (err) {
    const message = err instanceof Error ? err.message : 'invalid';
    return invalid(message.slice(message.lastIndexOf(': ') + 2).toLowerCase());
  }
}
