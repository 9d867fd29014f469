import { expect } from 'chai';
import { accountKey, addressKey, auditedName } from '../../src/services/login-keys.js';

/** Every spelling of one account or one address is counted as one (issue 17). */

describe('the keys a login attempt is counted against', () => {
  const sameAccount: Array<[string, string]> = [
    ['Admin', 'admin'], ['ADMIN', 'admin'], [' admin\t', 'admin'], ['\u3000admin\u00a0', 'admin'], ['ａｄｍｉｎ', 'admin'],
  ];
  for (const [spelling, name] of sameAccount) {
    it(`counts ${JSON.stringify(spelling)} against the account ${name}`, () => {
      expect(accountKey(spelling)).to.equal(accountKey(name)).and.to.equal(`user:${name}`);
    });
  }

  it('keeps a name no account can have short, and free of control characters, yet its own', () => {
    const long = accountKey('x'.repeat(1_000_000));
    expect(long).to.match(/^user:#[0-9a-f]{40}$/);
    expect(accountKey('x'.repeat(1_000_001))).to.not.equal(long);
    expect(accountKey('admin\u0000')).to.match(/^user:#[0-9a-f]{40}$/);
  });

  const sameAddress: Array<[string, string]> = [
    ['10.0.0.1', 'addr:10.0.0.1'],
    ['::ffff:10.0.0.1', 'addr:10.0.0.1'],
    ['::FFFF:a00:1', 'addr:10.0.0.1'],
    ['0:0:0:0:0:ffff:10.0.0.1', 'addr:10.0.0.1'],
    ['2001:db8:1:2::1', 'addr:2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', 'addr:2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'addr:fe80:0:0:0::/64'],
    ['::1', 'addr:0:0:0:0::/64'],
  ];
  for (const [address, key] of sameAddress) {
    it(`counts ${address} as ${key}`, () => { expect(addressKey(address)).to.equal(key); });
  }

  it('keeps what is not an address short', () => {
    expect(addressKey('unknown')).to.match(/^addr:#[0-9a-f]{40}$/);
  });

  it('shows a name in the audit log in at most 64 characters, its control characters made visible', () => {
    expect(auditedName('')).to.equal('(empty)');
    expect(auditedName('  v01 ')).to.equal('v01');
    expect(auditedName('a\u0000b\nc')).to.equal('a\ufffdb\ufffdc');
    expect([...auditedName('名'.repeat(1000))]).to.have.length(64);
  });
});
