// Picks a parser: the one the user named, or (auto) the format that fits most of the first lines.
import { LOG_FORMATS, type LineParser, type LogFormat } from './record.js';
import { squidParser } from './formats/squid.js';
import { w3cParser } from './formats/w3c.js';
import { clfParser } from './formats/clf.js';

export const DETECTION_SAMPLE_LINES = 50;

const PARSER_FACTORIES: Record<LogFormat, () => LineParser> = { squid: squidParser, w3c: w3cParser, clf: clfParser };

export function parserFor(format: LogFormat): LineParser {
  return PARSER_FACTORIES[format]();
}

/** The format that parses most of `sample` (W3C as soon as a `#Fields:` directive appears), or undefined. */
export function detectFormat(sample: readonly string[]): LogFormat | undefined {
  if (sample.some((line) => /^#Fields:/i.test(line))) return 'w3c';
  let best: LogFormat | undefined;
  let bestFits = 0;
  for (const format of LOG_FORMATS) {
    const parser = parserFor(format);
    const fits = sample.filter((line) => parser.parse(line)).length;
    if (fits > bestFits) {
      best = format;
      bestFits = fits;
    }
  }
  return best;
}
