import { describe, expect, it } from 'vitest';
import { classifyAddress, formatIp, parseIpv4, parseIpv6 } from '../../lib/core/fetch/address.ts';

describe('parseIpv4 reads every spelling browsers accept', () => {
  it.each([
    '127.0.0.1',
    '2130706433',
    '0x7f000001',
    '0X7F000001',
    '0177.0.0.1',
    '0177.0000.0000.0001',
    '127.1',
    '127.0.1',
    '0x7f.1',
    '0x7f.0.0.0x1',
    '0177.1',
    '127.0.0.1.',
  ])('%s is 127.0.0.1', (spelling) => {
    const bytes = parseIpv4(spelling);
    expect(bytes && formatIp(bytes)).toBe('127.0.0.1');
  });

  it.each(['example.com', '1.2.3.4.5', '256.1.1.1', '1.2.3.256', '08.1.1.1', '0x', '4294967296', '', '1..1'])(
    '%s is not an IPv4 address',
    (text) => {
      // '0x' alone is zero for WHATWG; every other entry is rejected.
      if (text === '0x') expect(parseIpv4(text) && formatIp(parseIpv4(text)!)).toBe('0.0.0.0');
      else expect(parseIpv4(text)).toBeUndefined();
    },
  );

  it('agrees with WHATWG URL on the normalised host', () => {
    for (const spelling of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0x7f.1', '3232235521']) {
      const host = new URL(`http://${spelling}/`).hostname;
      expect(formatIp(parseIpv4(spelling)!)).toBe(host);
    }
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::1', '::1'],
    ['::', '::'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['0:0:0:0:0:ffff:7f00:1', '::ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ])('%s parses to %s', (text, normal) => {
    expect(formatIp(parseIpv6(text)!)).toBe(normal);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '::ffff:127.1', 'example.com', '1.2.3.4'])(
    '%s is not an IPv6 address',
    (text) => {
      expect(parseIpv6(text)).toBeUndefined();
    },
  );
});

describe('classifyAddress: one table of refused ranges', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.170.2', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::7f00:1', 'reserved'],
    ['fc00::1', 'private'],
    ['fd00::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2::23', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['100.100.100.201', 'shared'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['64:ff9b:1::1', 'reserved'],
    ['3fff::1', 'documentation'],
    ['4000::1', 'reserved'],
    // IPv4 embedded in IPv6 is judged by the IPv4 address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.1.2.3', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:c0a8:0101::', 'private'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address).category).toBe(category);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700::1111',
    '2a00:1450:4001::1',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(classifyAddress(address).category).toBe('public');
  });

  it('reports the embedded IPv4 address', () => {
    expect(classifyAddress('::ffff:a9fe:a9fe')).toMatchObject({
      embeddedIpv4: '169.254.169.254',
      range: '169.254.0.0/16',
      family: 6,
    });
  });

  it('refuses to classify a host name', () => {
    expect(() => classifyAddress('example.com')).toThrow(TypeError);
  });
});
