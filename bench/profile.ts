// Self time by function from a V8 .cpuprofile (node --cpu-prof). The profiler samples wall time on the main thread:
// where the process was preempted (e.g. right after a write woke squid), the wait is charged to the frame it resumed
// in, so a syscall's share here can exceed its CPU. /proc's utime + stime is the CPU figure; this says where to look.
import { readFileSync } from 'node:fs';
import { ROOT } from './lib.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time by function from a V8 .cpuprofile, the largest first, from `fromMs` after the profile began. */
export function summariseProfile(file: string, top = 20, fromMs = 0): Array<{ what: string; selfMs: number; share: number }> {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byNode = new Map<number, number>();
  // A sample's delta is the time until the next one; samples in the first fromMs (start-up, warm-up) are left out.
  let at = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    at += prof.timeDeltas[i] ?? 0;
    if (at < fromMs * 1000) continue;
    byNode.set(prof.samples[i]!, (byNode.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i + 1] ?? 0));
  }
  const byWhat = new Map<string, number>();
  let total = 0;
  for (const node of prof.nodes) {
    const us = byNode.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^node:/, 'node:');
    const what = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
    byWhat.set(what, (byWhat.get(what) ?? 0) + us);
    if (functionName !== '(idle)') total += us;
  }
  return [...byWhat.entries()]
    .filter(([w]) => !w.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([what, us]) => ({ what, selfMs: us / 1000, share: us / total }));
}

