// XML to a plain element tree, in document order; text that is not well-formed XML is a `malformed_xml` finding.
import { createRequire } from 'node:module';
import type { XMLParser as XmlParserType, XMLValidator as XmlValidatorType } from 'fast-xml-parser';
import type { Finding } from '../finding.js';
import { FABRIKAM_EXAMPLE, finding, RESTART_REMEDY } from './findings.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

// The XML parser (and its thirty-odd modules) is loaded on the first machine.config read, so that an agent whose
// routes do not read one does not carry it.
let xml: { parser: XmlParserType; validator: typeof XmlValidatorType } | undefined;
function xmlTools(): NonNullable<typeof xml> {
  if (xml) return xml;
  const fxp = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  const parser = new fxp.XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true, // <add>, <remove> and <clear/> in a bypass list take effect in file order
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  return (xml = { parser, validator: fxp.XMLValidator });
}

export function parseXml(text: string, path: string): { root: XmlElement } | { finding: Finding } {
  const source = text.startsWith('\ufeff') ? text.slice(1) : text;
  const malformed = (where: string, problem: string): { finding: Finding } => ({
    finding: finding(
      'malformed_xml',
      'error',
      `${path} is not well-formed XML${where}: ${problem}. .NET refuses to load it, so the sync engine and the wizard cannot make web requests.`,
      `Fix the XML at that place (compare with the article's example: ${FABRIKAM_EXAMPLE}). ${RESTART_REMEDY}`,
    ),
  });
  try {
    const validation = xmlTools().validator.validate(source);
    if (validation !== true) {
      const { line, col, msg } = validation.err;
      const where = line ? ` at line ${line}${col ? `, column ${col}` : ''}` : '';
      return malformed(where, plainXmlProblem(msg));
    }
    const roots = toElements(xmlTools().parser.parse(source));
    const [root, ...others] = roots;
    if (!root) return malformed('', 'it has no elements');
    if (others.length > 0) return malformed('', `it has more than one top-level element (<${root.name}> and <${others[0]!.name}>)`);
    return { root };
  } catch (err) {
    // The validator passed but the parser still refused (entity limits and the like): report, don't crash.
    return malformed('', plainXmlProblem(err instanceof Error ? err.message.split('\n')[0]! : 'the XML parser refused it'));
  }
}

function plainXmlProblem(message: string): string {
  return message.replace(/\.$/, '');
}

function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    const name = Object.keys(record).find((key) => key !== ':@' && !key.startsWith('#') && !key.startsWith('?') && !key.startsWith('!'));
    if (name === undefined) continue;
    const rawAttributes = record[':@'];
    const attributes: Record<string, string> = {};
    if (typeof rawAttributes === 'object' && rawAttributes !== null) {
      for (const [key, value] of Object.entries(rawAttributes)) attributes[key] = String(value);
    }
    elements.push({ name, attributes, children: toElements(record[name]) });
  }
  return elements;
}
