import { afterEach, describe, expect, it } from 'vitest';
import { fetchPage } from '../../lib/core/fetch/index.ts';
import {
  bridgeConnector,
  fakeResolver,
  fetchError,
  PUBLIC_IP,
  recordingConnector,
  startServer,
  type TestServer,
} from './helpers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const html = (body: string) => ({
  'content-type': 'text/html; charset=utf-8',
  'content-length': Buffer.byteLength(body),
});

describe('the address guard refuses before any connection', () => {
  it.each([
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0x7f.1/',
    'http://127.000.000.001/',
    'http://[::1]/',
    'http://[::]/',
    'http://0.0.0.0/',
    'http://0/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/', // 169.254.169.254 in decimal
    'http://[fd00:ec2::254]/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.0.1/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://198.18.0.1/',
    'http://192.0.2.1/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://[ff02::1]/',
    'http://[2001:db8::1]/',
    'http://[64:ff9b::a00:1]/',
    'http://[2002:7f00:1::]/',
    // Spellings WHATWG URL folds into loopback before the guard sees the host:
    'http://127.0.0.1./',
    'http://0x7f.0.0.1./',
    'http://127.0.0.1%2e/',
    'http://%31%32%37.0.0.1/',
    'http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/', // full-width digits
    'http://127\u30020\u30020\u30021/', // ideographic full stops
    'http://0000000000177.1/',
    'http://127.0.0.1\\@evil.example/', // the backslash ends the host
    'HTTP://[::FFFF:127.0.0.1]:80/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::127.0.0.1]/',
  ])('%s', async (url) => {
    const { connector, attempts } = recordingConnector();
    const { resolver, calls } = fakeResolver({});
    const error = await fetchError(fetchPage(url, { connector, resolver, retries: 0 }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.details.retryable).toBe(false);
    expect(attempts).toEqual([]);
    expect(calls).toEqual([]); // a literal address needs no lookup
  });

  it('refuses a name that resolves to a private address, naming it', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'intranet.example': ['10.1.2.3'] });
    const error = await fetchError(fetchPage('https://intranet.example/', { connector, resolver }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('intranet.example resolves to 10.1.2.3');
    expect(attempts).toEqual([]);
  });

  it('refuses a name when ANY of its addresses is blocked', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'mixed.example': [PUBLIC_IP, '169.254.169.254'] });
    const error = await fetchError(fetchPage('http://mixed.example/', { connector, resolver }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.details.address).toBe('169.254.169.254');
    expect(attempts).toEqual([]);
  });

  it('refuses a name resolving to an IPv4-mapped loopback address', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'mapped.example': ['::ffff:127.0.0.1'] });
    const error = await fetchError(fetchPage('http://mapped.example/', { connector, resolver }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(attempts).toEqual([]);
  });

  it('a real loopback listener sees no connection unless loopback is allowed', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, html('<html><body>hi</body></html>')).end('<html><body>hi</body></html>');
    });
    servers.push(server);
    const error = await fetchError(fetchPage(server.url, { retries: 0 }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(server.connections).toBe(0);

    const byOrigin = await fetchPage(server.url, { allowedOrigins: [server.origin] });
    expect(byOrigin.status).toBe(200);
    const bySwitch = await fetchPage(server.url, { allowPrivateNetwork: true });
    expect(Buffer.from(bySwitch.body).toString()).toContain('hi');
    expect(server.connections).toBe(2);
  });

  it('an allowed origin trusts only that origin, not another port on the same host', async () => {
    const { connector, attempts } = recordingConnector();
    const error = await fetchError(
      fetchPage('http://127.0.0.1:9999/', { connector, allowedOrigins: ['http://127.0.0.1:8080'] }),
    );
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(attempts).toEqual([]);
  });

  it('allowPrivateNetwork never opens link-local (cloud metadata)', async () => {
    const { connector, attempts } = recordingConnector();
    for (const url of ['http://169.254.169.254/', 'http://[fe80::1]/', 'http://0.0.0.0/']) {
      const error = await fetchError(fetchPage(url, { connector, allowPrivateNetwork: true }));
      expect(error.code).toBe('BLOCKED_ADDRESS');
    }
    expect(attempts).toEqual([]);
  });
});

describe('URL rules', () => {
  it.each([
    ['ftp://example.com/file', 'INVALID_URL'],
    ['file:///etc/passwd', 'INVALID_URL'],
    ['javascript:alert(1)', 'INVALID_URL'],
    ['http://user:secret@example.com/', 'INVALID_URL'],
    ['http://example.com@127.0.0.1/', 'INVALID_URL'],
    ['http://secret@example.com/', 'INVALID_URL'],
    ['not a url', 'INVALID_URL'],
    ['http://example.com:8080/', 'BLOCKED_ADDRESS'],
    ['http://example.com:22/', 'BLOCKED_ADDRESS'],
  ])('%s → %s', async (url, code) => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'example.com': [PUBLIC_IP] });
    const error = await fetchError(fetchPage(url, { connector, resolver }));
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('secret');
    expect(attempts).toEqual([]);
  });

  it('configured ports are allowed', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'example.com': [PUBLIC_IP] });
    const result = await fetchPage('http://example.com:8080/', { connector, resolver, allowedPorts: [8080] });
    expect(result.status).toBe(200);
    expect(attempts).toHaveLength(1);
  });
});

describe('checked on the address actually connected to', () => {
  it('DNS rebinding: connects to the first vetted address and never looks the name up again', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, html('<html><body>page</body></html>')).end('<html><body>page</body></html>');
    });
    servers.push(server);
    const { connector, attempts } = bridgeConnector(server);
    // The first answer is public; any later lookup would say loopback.
    const { resolver, calls } = fakeResolver({
      'rebind.example': (call) => (call === 1 ? [PUBLIC_IP] : ['127.0.0.1']),
    });
    const result = await fetchPage('http://rebind.example/article', { connector, resolver });
    expect(result.status).toBe(200);
    expect(calls).toEqual(['rebind.example']);
    expect(attempts.map((attempt) => attempt.address)).toEqual([PUBLIC_IP]);
  });

  it('the resolver text is normalised before it is handed to the connector', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'v6.example': ['2606:4700:0000:0000:0000:0000:0000:1111'] });
    await fetchPage('http://v6.example/', { connector, resolver });
    expect(attempts[0]?.address).toBe('2606:4700::1111');
  });

  it('an allowed IPv4-mapped address is dialled as IPv4', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'mapped-public.example': ['::ffff:93.184.216.34'] });
    await fetchPage('http://mapped-public.example/', { connector, resolver });
    expect(attempts.map((attempt) => attempt.address)).toEqual(['93.184.216.34']);
  });

  it('a redirect from an allowed host to a blocked one is refused before the second connection', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/start') {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam' }).end();
        return;
      }
      response.writeHead(200, html('x')).end('x');
    });
    servers.push(server);
    const { connector, attempts } = bridgeConnector(server);
    const { resolver } = fakeResolver({ 'news.example': [PUBLIC_IP] });
    const error = await fetchError(fetchPage('http://news.example/start', { connector, resolver }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(attempts.map((attempt) => attempt.url)).toEqual(['http://news.example/start']);
  });

  it('a redirect to a name resolving to loopback is refused', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(301, { location: 'http://localhost:80/admin' }).end();
    });
    servers.push(server);
    const { connector, attempts } = bridgeConnector(server);
    const { resolver, calls } = fakeResolver({
      'news.example': [PUBLIC_IP],
      localhost: ['127.0.0.1', '::1'],
    });
    const error = await fetchError(fetchPage('http://news.example/', { connector, resolver }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(calls).toEqual(['news.example']); // localhost is loopback by name, never looked up
    expect(attempts).toHaveLength(1);
  });

  it('a redirect to a non-http scheme is refused', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(302, { location: 'file:///etc/passwd' }).end();
    });
    servers.push(server);
    const { connector } = bridgeConnector(server);
    const { resolver } = fakeResolver({ 'news.example': [PUBLIC_IP] });
    const error = await fetchError(fetchPage('http://news.example/', { connector, resolver }));
    expect(error.code).toBe('INVALID_URL');
    expect(error.message).toContain('file:');
  });
});

describe('what no configuration opens', () => {
  it.each([
    'http://[fd00:ec2::254]/latest/meta-data/', // AWS instance metadata over IPv6
    'http://[fd00:ec2::23]/', // EKS Pod Identity agent
    'http://100.100.100.200/latest/meta-data/', // Alibaba Cloud metadata (inside CGNAT)
  ])('allowPrivateNetwork never opens the cloud metadata endpoint %s', async (url) => {
    const { connector, attempts } = recordingConnector();
    const error = await fetchError(fetchPage(url, { connector, allowPrivateNetwork: true, retries: 0 }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(error.message).toContain('metadata');
    expect(attempts).toEqual([]);
  });

  it('nor does a name that resolves to the IPv6 metadata endpoint', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'imds.example': ['fd00:ec2:0:0:0:0:0:254'] });
    const error = await fetchError(
      fetchPage('http://imds.example/', { connector, resolver, allowPrivateNetwork: true }),
    );
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(attempts).toEqual([]);
  });

  it.each([
    ['http://169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['http://[fe80::1]:8080', 'http://[fe80::1]:8080/'],
    ['http://0.0.0.0:8080', 'http://0.0.0.0:8080/'],
    ['http://[fd00:ec2::254]', 'http://[fd00:ec2::254]/'],
  ])(
    'an allowed origin %s still cannot reach a link-local, metadata or unspecified address',
    async (origin, url) => {
      const { connector, attempts } = recordingConnector();
      const error = await fetchError(fetchPage(url, { connector, allowedOrigins: [origin], retries: 0 }));
      expect(error.code).toBe('BLOCKED_ADDRESS');
      expect(attempts).toEqual([]);
    },
  );

  it('an allowed origin whose name is re-pointed at the metadata endpoint is refused', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'internal.example': ['169.254.169.254'] });
    const error = await fetchError(
      fetchPage('http://internal.example:8080/', {
        connector,
        resolver,
        allowedOrigins: ['http://internal.example:8080'],
      }),
    );
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(attempts).toEqual([]);
  });

  it('allowPrivateNetwork opens other ports on private addresses only, not on public hosts', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver } = fakeResolver({ 'mail.example': [PUBLIC_IP], 'intranet.example': ['10.0.0.8'] });
    for (const url of ['http://mail.example:25/', `http://${PUBLIC_IP}:6379/`]) {
      const error = await fetchError(fetchPage(url, { connector, resolver, allowPrivateNetwork: true }));
      expect(error.code).toBe('BLOCKED_ADDRESS');
      expect(error.message).toContain('port');
    }
    expect(attempts).toEqual([]);
    const result = await fetchPage('http://intranet.example:8080/', {
      connector,
      resolver,
      allowPrivateNetwork: true,
    });
    expect(result.status).toBe(200);
    expect(attempts.map((attempt) => attempt.address)).toEqual(['10.0.0.8']);
  });

  it('a trailing-dot host name is resolved and vetted like any other', async () => {
    const { connector, attempts } = recordingConnector();
    const { resolver, calls } = fakeResolver({ 'intranet.example.': ['10.1.2.3'] });
    const error = await fetchError(fetchPage('http://intranet.example./', { connector, resolver }));
    expect(error.code).toBe('BLOCKED_ADDRESS');
    expect(calls).toEqual(['intranet.example.']);
    expect(attempts).toEqual([]);
  });

  it.each(['http://localhost/', 'http://LOCALHOST./', 'http://app.localhost/', 'http://a.b.localhost./'])(
    '%s is loopback by name (RFC 6761): refused without asking any resolver',
    async (url) => {
      const { connector, attempts } = recordingConnector();
      const { resolver, calls } = fakeResolver({});
      const error = await fetchError(fetchPage(url, { connector, resolver, retries: 0 }));
      expect(error.code).toBe('BLOCKED_ADDRESS');
      expect(error.message).toContain('loopback');
      expect(calls).toEqual([]);
      expect(attempts).toEqual([]);
    },
  );
});
