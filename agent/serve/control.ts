// The control channel: a local named pipe (Windows) or Unix socket through which `entra-connect-monitor stop` and
// `reload` reach a running agent. Windows has no SIGTERM or SIGHUP to send to a process without a console (a
// scheduled task, a service), and Task Scheduler's own "End" kills without warning; this is how a stop there still
// reaches the agent's bounded shutdown. Windows' default pipe security lets only administrators, SYSTEM and the
// account running the agent open the pipe for writing; a Unix socket is created with the process's umask.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ControlCommand = 'stop' | 'reload';

export interface ControlHandlers {
  /** Starts the bounded shutdown; the caller's connection stays open until the process exits. */
  stop(): void;
  reload(): { ok: boolean };
}

const MAX_LINE_BYTES = 64;
const IDLE_MS = 5_000;

/** The name on the command line to the address net.listen/connect take: \\.\pipe\NAME on Windows, a path elsewhere. */
export function controlAddress(name: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32' || name.startsWith('\\\\')) return name;
  return `\\\\.\\pipe\\${name}`;
}

/** The agent's control pipe on Windows when no --control.pipe is given; elsewhere signals do the job. */
export function defaultControlName(platform: NodeJS.Platform = process.platform): string | undefined {
  return platform === 'win32' ? 'entra-connect-monitor' : undefined;
}

/** Listens on `address`. Rejects (EADDRINUSE) when another agent holds it. The server never keeps the process alive. */
export async function startControl(address: string, handlers: ControlHandlers): Promise<Server> {
  const server = createServer((socket) => serve(socket, handlers));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return server;
}

function serve(socket: Socket, handlers: ControlHandlers): void {
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  let line = '';
  socket.on('data', (chunk: Buffer) => {
    line += chunk.toString('utf8');
    const end = line.indexOf('\n');
    if (end < 0) {
      if (line.length > MAX_LINE_BYTES) socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    const command = line.slice(0, end).trim();
    if (command === 'stop') {
      socket.setTimeout(0);
      // Held open until the process exits: the caller knows the agent is gone when the pipe closes.
      socket.unref();
      socket.write('stopping\n');
      handlers.stop();
    } else if (command === 'reload') {
      socket.end(handlers.reload().ok ? 'reloaded\n' : 'reload failed: the previous configuration stays in use; the agent log names the file, key and problem\n');
    } else {
      socket.end('unknown command\n');
    }
  });
}

export interface ControlReply {
  /** The agent's one-line answer; absent when none came. */
  answer?: string;
  /** For stop: the agent closed the channel (it exited) within the bound. */
  closed: boolean;
  /** Set when no agent listens at the address (ENOENT, ECONNREFUSED) or the call failed. */
  error?: string;
}

/** Sends one command and waits, at most `withinMs`, for the answer and (for stop) for the agent to go away. */
export function sendControl(address: string, command: ControlCommand, withinMs = 5_000): Promise<ControlReply> {
  return new Promise((resolve) => {
    let answer = '';
    let done = false;
    const finish = (reply: ControlReply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const socket = createConnection(address, () => socket.write(`${command}\n`));
    const timer = setTimeout(() => finish({ answer: answer.trim() || undefined, closed: false, error: `no answer within ${withinMs} ms` }), withinMs);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    socket.on('close', () => finish({ answer: answer.trim() || undefined, closed: true }));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A pipe torn down by the exiting agent can end in a reset rather than a clean close: it went away all the same.
      if (answer.startsWith('stopping')) finish({ answer: answer.trim(), closed: true });
      else finish({ closed: false, error: err.code ?? err.message });
    });
  });
}
