// Starts the telegram-test-api Bot API emulator for tests/e2e on 127.0.0.1 only.
// Usage: node emulator.js PORT. Prints "ready <url>" once listening; stops on SIGTERM/SIGINT or
// when its stdin closes (so it never outlives the pytest process that started it).
'use strict';

const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: node emulator.js PORT\n');
  process.exit(2);
}

// storeTimeout: keep unread messages for the whole test run instead of the default minute.
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.stop().then(() => process.exit(0), () => process.exit(1));
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

server.start().then(
  () => process.stdout.write(`ready ${server.config.apiURL}\n`),
  (error) => {
    process.stderr.write(`cannot start telegram-test-api: ${error}\n`);
    process.exit(1);
  },
);
