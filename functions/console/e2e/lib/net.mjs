// Every person in these tests reaches the stack from a loopback address of their own, as the Go
// end-to-end tests do (infra/e2e, newIP): the API's per-IP rate limits (code requests,
// invitation look-ups, sign-in failures) would otherwise let one test's requests refuse
// another's, since every browser connects from 127.0.0.1. Linux routes all of 127.0.0.0/8 to
// loopback, so a small forwarding proxy per test binds its outgoing connections to an address
// of the test's own. The proxy keeps the Host header, so the API sees (and writes into its
// emailed links) the origin the browser used: the proxy's.
import http from 'node:http';
import { env } from './env.mjs';

// 127.10.x.x is the Go tests'; a random start keeps two runs against one stack (make dev) apart.
let last = Math.floor(Math.random() * 60000);

function nextIP() {
  last = (last + 1) % 65536;
  return `127.200.${last >> 8}.${last & 255}`;
}

// Network is one source address and the origin (http://127.0.0.1:<port>) that reaches the stack from it.
export class Network {
  static async open() {
    const api = new URL(env().apiURL);
    const ip = nextIP();
    const agent = new http.Agent({ keepAlive: true, localAddress: ip });
    const server = http.createServer((req, res) => {
      const up = http.request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          // Raw headers keep every Set-Cookie and the names' spelling.
          res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
          answer.pipe(res);
        },
      );
      up.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`console e2e proxy: ${err.message}`);
      });
      req.pipe(up);
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new Network(ip, `http://127.0.0.1:${server.address().port}`, server, agent);
  }

  constructor(ip, origin, server, agent) {
    this.ip = ip;
    this.origin = origin;
    this.server = server;
    this.agent = agent;
  }

  async close() {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
