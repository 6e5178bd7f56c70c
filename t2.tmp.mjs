import { PrivacyDetector } from './dist/privacy/detect.js';
import { maskValue } from './dist/privacy/mask.js';
const d = new PrivacyDetector();
const t0 = Date.now();
for (const s of [
 'Card 4454794511390933 and email UtaKortig@jourrapide.com, call +1-984-182-0190 or 905-674-3793',
 'my ssn is 460-89-9847, iban GB82WEST12345698765432, ip 86.121.97.248 and 6e40:4041:c617:e898:c11:40d2:c669:2eb4',
 'aws_access_key_id = AKIALALEMEL33243OLIA and AKIAIOSFODNN7EXAMPLE',
 'NHS number 943 476 5919, DNI 12345678Z, born on 2/8/1935, Steuer-ID 86095742719',
 'token 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 and github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456',
 '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJ\n-----END RSA PRIVATE KEY-----',
 'released 2000-04-16 11:34:35 version 1.2.3.4',
]) for (const h of d.detect(s)) console.log(h.entity, h.confidence, h.example, h.detail ?? '', maskValue(h.value, h.entity), JSON.stringify(h.value));
console.log(Date.now()-t0);
