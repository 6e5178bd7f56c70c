import type { Rule } from '../define-rule.js';
import type { PrivacyInput } from './input.js';
import creditCard from './credit-card.js';
import dateOfBirth from './date-of-birth.js';
import deTaxId from './de-tax-id.js';
import email from './email.js';
import esNif from './es-nif.js';
import iban from './iban.js';
import ipAddress from './ip-address.js';
import malformedInput from './malformed-input.js';
import phone from './phone.js';
import privateKey from './private-key.js';
import secretAnthropic from './secret/anthropic.js';
import secretAws from './secret/aws.js';
import secretAzure from './secret/azure.js';
import secretGcp from './secret/gcp.js';
import secretGeneric from './secret/generic.js';
import secretGithub from './secret/github.js';
import secretGitlab from './secret/gitlab.js';
import secretHuggingface from './secret/huggingface.js';
import secretJwt from './secret/jwt.js';
import secretNpm from './secret/npm.js';
import secretOpenai from './secret/openai.js';
import secretOther from './secret/other.js';
import secretPypi from './secret/pypi.js';
import secretSlack from './secret/slack.js';
import secretStripe from './secret/stripe.js';
import ukNhs from './uk-nhs.js';
import usSsn from './us-ssn.js';

/** Every `privacy/*` rule, sorted by id (listed by hand, STYLE §3). */
export const privacyRules: readonly Rule<PrivacyInput>[] = [
  creditCard,
  dateOfBirth,
  deTaxId,
  email,
  esNif,
  iban,
  ipAddress,
  malformedInput,
  phone,
  privateKey,
  secretAnthropic,
  secretAws,
  secretAzure,
  secretGcp,
  secretGeneric,
  secretGithub,
  secretGitlab,
  secretHuggingface,
  secretJwt,
  secretNpm,
  secretOpenai,
  secretOther,
  secretPypi,
  secretSlack,
  secretStripe,
  ukNhs,
  usSsn,
];
