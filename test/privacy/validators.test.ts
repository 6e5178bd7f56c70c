import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cardBrand,
  checkSpanishId,
  checkSsn,
  githubTokenChecksum,
  luhnValid,
  shannonEntropy,
  validCard,
  validGermanTaxId,
  validIban,
  validIpv4,
  validIpv6,
  validNhs,
} from '../../src/privacy/validators.js';

describe('privacy validators', () => {
  it('checks Luhn and card brands by prefix and length', () => {
    assert.equal(luhnValid('4454794511390933'), true);
    assert.equal(luhnValid('4454794511390934'), false);
    assert.equal(cardBrand('4454794511390933'), 'Visa');
    assert.equal(cardBrand('378282246310005'), 'American Express');
    assert.equal(cardBrand('2223003122003222'), 'Mastercard');
    assert.equal(cardBrand('6011111111111117'), 'Discover');
    assert.equal(cardBrand('9999999999999995'), undefined);
    assert.deepEqual(validCard('4454 7945 1139 0933'), { brand: 'Visa' });
    // Luhn-valid but a 16-digit American Express number does not exist.
    assert.equal(validCard('3782822463100050'), undefined);
    assert.equal(validCard('0000000000000000'), undefined);
  });

  it('checks IBAN mod 97 and the per-country length', () => {
    assert.deepEqual(validIban('GB82 WEST 1234 5698 7654 32'), { country: 'GB' });
    assert.deepEqual(validIban('DE89370400440532013000'), { country: 'DE' });
    assert.equal(validIban('GB82WEST12345698765433'), undefined); // check fails
    assert.equal(validIban('GB82WEST1234569876543'), undefined); // GB is 22 long
    assert.equal(validIban('QQ82WEST12345698765432'), undefined); // no such country
  });

  it('checks SSN ranges and recognises published samples', () => {
    assert.equal(checkSsn('460-89-9847'), 'valid');
    assert.equal(checkSsn('078-05-1120'), 'sample');
    assert.equal(checkSsn('666-12-3456'), 'invalid');
    assert.equal(checkSsn('900-12-3456'), 'invalid');
    assert.equal(checkSsn('123-00-4567'), 'invalid');
    assert.equal(checkSsn('123-45-0000'), 'invalid');
    assert.equal(checkSsn('460-89 9847'), 'invalid'); // mixed separators
    assert.equal(checkSsn('111-11-1111'), 'invalid');
  });

  it('checks NHS mod 11, NIF/NIE letters and the German tax id', () => {
    assert.equal(validNhs('943 476 5919'), true);
    assert.equal(validNhs('943 476 5918'), false);
    assert.equal(checkSpanishId('12345678Z'), 'nif');
    assert.equal(checkSpanishId('12345678A'), undefined);
    assert.equal(checkSpanishId('X1234567L'), 'nie');
    assert.equal(checkSpanishId('X1234567A'), undefined);
    assert.equal(validGermanTaxId('86095742719'), true);
    assert.equal(validGermanTaxId('86095742718'), false);
    assert.equal(validGermanTaxId('12345678903'), false); // no repeated digit
  });

  it('checks IP addresses', () => {
    assert.equal(validIpv4('86.121.97.248'), true);
    assert.equal(validIpv4('256.1.1.1'), false);
    assert.equal(validIpv4('01.2.3.4'), false);
    assert.equal(validIpv6('6e40:4041:c617:e898:c11:40d2:c669:2eb4'), true);
    assert.equal(validIpv6('11:34:35'), false);
  });

  it("checks a GitHub token's CRC32 and measures entropy", () => {
    // The example token of public write-ups of GitHub's 2021 format: its checksum holds.
    assert.equal(githubTokenChecksum('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'), true);
    assert.equal(githubTokenChecksum('ghp_zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq18'), false);
    assert.equal(githubTokenChecksum('ghp_short'), undefined);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
  });
});
