// `entra-connect-monitor logs FILE... [--format auto|squid|w3c|clf] [--json] [--required-idle SECONDS]`:
// reads proxy access logs the way the article's "Reference proxy logs" section does and reports findings.
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';
import { ProxyLogAnalysis, DEFAULT_ANALYSIS_OPTIONS } from './analyse.js';
import { DETECTION_SAMPLE_LINES, detectFormat, parserFor } from './detect.js';
import { loadAvailableCatalogues } from '../config/catalogue.js';
import { HostClassifier } from './hosts.js';
import { linesOf, openLogFile, type LineSource } from './lines.js';
import { LOG_FORMATS, type LineParser, type LogFormat } from './record.js';
import { buildReport, reportJson, reportText, type FileSummary } from './report.js';

const USAGE = 'usage: entra-connect-monitor logs FILE... [--format auto|squid|w3c|clf] [--json] [--required-idle SECONDS]';

/** A problem with what the user gave us: one line on stderr, exit 2. */
class UsageError extends Error {}

export async function runLogsCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  try {
    const options = parseOptions(argv);
    const analysis = new ProxyLogAnalysis(new HostClassifier(loadAvailableCatalogues()), {
      ...DEFAULT_ANALYSIS_OPTIONS,
      requiredIdleSeconds: options.requiredIdleSeconds,
    });
    const files: FileSummary[] = [];
    for (const file of options.files) {
      const source = file === '-' ? linesOf(stdin ?? process.stdin) : await openReadableFile(file);
      files.push(await readLog(file === '-' ? 'stdin' : file, source, options.format, analysis));
    }
    const report = buildReport(files, analysis.finish());
    out.write(options.json ? reportJson(report) : reportText(report));
    return report.findings.some((f) => f.severity === 'error') ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      err.write(`logs: ${e.message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code) {
      err.write(`logs: ${(e as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    throw e;
  }
}

interface LogsOptions {
  files: string[];
  format: LogFormat | 'auto';
  json: boolean;
  requiredIdleSeconds: number;
}

function parseOptions(argv: string[]): LogsOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', default: 'auto' },
        json: { type: 'boolean', default: false },
        'required-idle': { type: 'string', default: String(DEFAULT_ANALYSIS_OPTIONS.requiredIdleSeconds) },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError(`no log file given; ${USAGE}`);
  if (positionals.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const format = values.format;
  if (format !== 'auto' && !(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of auto, ${LOG_FORMATS.join(', ')} (got "${format}")`);
  }
  const requiredIdleSeconds = Number(values['required-idle']);
  if (!Number.isFinite(requiredIdleSeconds) || requiredIdleSeconds <= 0) {
    throw new UsageError(`--required-idle must be a positive number of seconds (got "${values['required-idle']}")`);
  }
  return { files: positionals, format: format as LogFormat | 'auto', json: values.json, requiredIdleSeconds };
}

/** Fails early, with the file's name, on a missing file or a directory rather than mid-report. */
async function openReadableFile(file: string): Promise<LineSource> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    throw new UsageError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (info.isDirectory()) throw new UsageError(`${file}: is a directory, not a log file`);
  return openLogFile(file);
}

async function readLog(
  name: string,
  source: LineSource,
  requested: LogFormat | 'auto',
  analysis: ProxyLogAnalysis,
): Promise<FileSummary> {
  let lines = 0;
  let unparsed = 0;
  let records = 0;
  let parser: LineParser | undefined = requested === 'auto' ? undefined : parserFor(requested);
  const sample: string[] = [];

  const consume = (batch: readonly string[], using: LineParser) => {
    for (const line of batch) {
      const record = using.parse(line);
      if (record) {
        records++;
        analysis.add(record, line);
      } else if (record === undefined) {
        unparsed++;
      }
    }
  };
  const settleFormat = (): LineParser => {
    parser = firstFitParser(detectFormat(sample));
    consume(sample, parser);
    sample.length = 0;
    return parser;
  };

  try {
    for await (const batch of source.batches) {
      lines += batch.length;
      if (parser) {
        consume(batch, parser);
        continue;
      }
      sample.push(...batch);
      if (sample.filter((l) => l.trim() !== '').length >= DETECTION_SAMPLE_LINES) settleFormat();
    }
  } catch (e) {
    throw new UsageError(`${name}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]})`);
  }
  parser ??= settleFormat();
  if (records === 0 && unparsed > 0) {
    const tried = requested === 'auto' ? LOG_FORMATS.join(', ') : requested;
    throw new UsageError(`${name}: no line fits a known proxy log format (tried ${tried})`);
  }
  return { file: name, format: parser.format, lines, unparsed, truncatedGzip: source.truncatedGzip };
}

/**
 * The detected format's parser; when the first lines fit none (a garbage header), a parser that tries every
 * format on each line and keeps the first that fits.
 */
function firstFitParser(detected: LogFormat | undefined): LineParser {
  if (detected) return parserFor(detected);
  const candidates = LOG_FORMATS.map(parserFor);
  let chosen: LineParser | undefined;
  return {
    get format() {
      return chosen?.format ?? LOG_FORMATS[0];
    },
    parse(line: string) {
      if (chosen) return chosen.parse(line);
      for (const candidate of candidates) {
        const record = candidate.parse(line);
        if (record) {
          chosen = candidate;
          return record;
        }
      }
      return undefined;
    },
  };
}
