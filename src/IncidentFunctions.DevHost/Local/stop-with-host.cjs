// Preloaded (node --require) into every tool the dev host starts (Azurite, MailDev). The dev host gives the tool a pipe
// as its standard input and never writes to it; the pipe closes when the dev host exits, however it exits (kill -9 and
// crashes included), and the dev host closes it itself to stop the tool. The tool then shuts down as on Ctrl+C instead of
// outliving the dev host with its ports and data folder, which would block the next start.
'use strict';

let stopping = false;

function stop() {
  if (stopping) {
    return;
  }

  stopping = true;
  // Nobody reads the tool's output any more: a write to the closed pipe must not break its shutdown.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  // SIGINT, as Ctrl+C: Azurite's table service shuts down cleanly (saving its data) on SIGINT only, where SIGTERM ends
  // it at once and loses the writes since its last save; its queue and blob services and MailDev handle both. A tool
  // without a handler simply ends.
  process.kill(process.pid, 'SIGINT');
  // One that does not finish its shutdown ends anyway.
  setTimeout(() => process.exit(1), 10000).unref();
}

process.stdin.on('end', stop).on('error', stop).resume();
