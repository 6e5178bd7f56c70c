import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrivacyDetector } from '../../src/privacy/detect.js';
import { maskValue } from '../../src/privacy/mask.js';

const detector = new PrivacyDetector();

function found(text: string, column = ''): string[] {
  return detector
    .detect(text, column)
    .map((h) => `${h.entity}:${h.value}:${h.confidence}${h.example ? ':example' : ''}`);
}

describe('privacy detector', () => {
  it('finds validated personal data with its confidence', () => {
    assert.deepEqual(found('card 4454794511390933, mail UtaKortig@jourrapide.com'), [
      'credit-card:4454794511390933:high',
      'email:UtaKortig@jourrapide.com:high',
    ]);
    assert.deepEqual(found('ssn 460-89-9847'), ['us-ssn:460-89-9847:high']);
    assert.deepEqual(found('id 460-89-9847'), ['us-ssn:460-89-9847:medium']);
    assert.deepEqual(found('iban GB56HXDO88167774656119'), ['iban:GB56HXDO88167774656119:high']);
    assert.deepEqual(found('from 86.121.97.248 and 192.0.2.7'), [
      'ip-address:86.121.97.248:medium',
      'ip-address:192.0.2.7:medium:example',
    ]);
  });

  it('needs context words where a checksum alone proves little', () => {
    assert.deepEqual(found('order 943 476 5919'), ['phone:943 476 5919:low']);
    assert.deepEqual(found('NHS number 943 476 5919'), ['uk-nhs:943 476 5919:high']);
    assert.deepEqual(found('943 476 5919', 'nhs_number'), ['uk-nhs:943 476 5919:high']);
    assert.deepEqual(found('released 1985-03-02'), []);
    assert.deepEqual(found('born 1985-03-02'), ['date-of-birth:1985-03-02:high']);
    assert.deepEqual(found('Steuer-ID 86095742719'), ['de-tax-id:86095742719:high']);
    assert.deepEqual(found('DNI 12345678Z'), ['es-nif:12345678Z:high']);
  });

  it("runs gitleaks' rules and reports example values as examples", () => {
    assert.deepEqual(found('aws_key = AKIALALEMEL33243OLIA'), [
      'secret/aws:AKIALALEMEL33243OLIA:high',
    ]);
    assert.deepEqual(found('aws_key = AKIAIOSFODNN7EXAMPLE'), [
      'secret/aws:AKIAIOSFODNN7EXAMPLE:high:example',
    ]);
    assert.deepEqual(found('t 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'), [
      'secret/github: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:high',
    ]);
    // Same shape, checksum broken: still reported, at low confidence.
    assert.deepEqual(found('t ghp_zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq18'), [
      'secret/github:ghp_zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq18:low',
    ]);
  });

  it('masks values without ever showing them whole', () => {
    assert.equal(maskValue('4454794511390933', 'credit-card'), '************0933');
    assert.equal(maskValue('UtaKortig@jourrapide.com', 'email'), 'U***@***.com');
    assert.equal(maskValue('AKIALALEMEL33243OLIA', 'secret/aws'), 'AKIA****************');
    assert.equal(maskValue('abc', 'phone'), '***');
  });
});
