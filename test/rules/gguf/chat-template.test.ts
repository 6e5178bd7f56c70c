import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GgufHeader } from '../../../src/formats/gguf/index.js';
import injection from '../../../src/rules/gguf/chat-template-injection.js';
import odd from '../../../src/rules/gguf/chat-template-odd-construct.js';
import unparsable from '../../../src/rules/gguf/chat-template-unparsable.js';
import { runRule } from '../../helpers/issue4-rules.js';

const header = (template: string, key = 'tokenizer.chat_template'): GgufHeader => ({
  version: 3,
  alignment: 32,
  dataOffset: 0,
  fileSize: 0,
  tensors: [],
  metadata: [
    {
      key,
      type: 'string',
      value: template,
      span: { start: 10, end: 20 },
      valueSpan: { start: 12, end: 20 },
    },
  ],
});

const constructs = (
  rule: typeof injection | typeof odd,
  template: string,
  key?: string,
): string[] => runRule(rule, header(template, key)).map((f) => usedName(f.message));

/** The construct a message names after its last "uses ", with backticks dropped (linear time). */
function usedName(message: string): string {
  const at = message.lastIndexOf('uses ');
  if (at < 0) return message;
  let rest = message.slice(at + 'uses '.length);
  if (rest.startsWith('`')) rest = rest.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const tail = rest.slice(i);
    const after = tail.startsWith('`') ? tail.slice(1) : tail;
    if (after.startsWith(',') || after.startsWith(' which')) return rest.slice(0, i);
    if (tail.startsWith('`')) return message;
  }
  return message;
}

describe('gguf/chat-template-injection', () => {
  it('valid: ordinary chat templates', () => {
    for (const t of [
      "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] }}{% endfor %}",
      "{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] %}{% endif %}{{ bos_token }}",
      "{{ raise_exception('Conversation roles must alternate') }}",
      "{% set ns = namespace(found=false) %}{% for m in messages %}{% if m.role == 'tool' %}{% set ns.found = true %}{% endif %}{% endfor %}",
      '{{ messages | map(attribute="content") | join("\\n") }}',
    ]) {
      assert.deepEqual(runRule(injection, header(t)), [], t);
    }
  });

  it('invalid: dunder access, subscript and attr() spellings, module names', () => {
    assert.deepEqual(constructs(injection, "{{ ''.__class__.__mro__[1].__subclasses__() }}"), [
      '__subclasses__',
      '__mro__',
      '__class__',
    ]);
    assert.deepEqual(constructs(injection, "{{ x['__globals__'] }}"), ['__globals__']);
    assert.deepEqual(constructs(injection, "{{ cycler|attr('__init__') }}"), ["attr('__init__')"]);
    assert.deepEqual(constructs(injection, "{{ lipsum.os.popen('id').read() }}"), ['popen', 'os']);
    assert.deepEqual(constructs(injection, "{{ __import__('subprocess') }}"), ['__import__']);
    assert.deepEqual(
      constructs(injection, '{{ self._TemplateReference__context.cycler.__init__ }}'),
      ['__init__'],
    );
  });

  it('invalid: dunder attribute paths given to map, selectattr, sort … (no dunder member expression)', () => {
    // Rendered by Python's jinja2.Environment, this reaches `__import__` (checked by hand with the
    // venv's jinja2 3.1.6; the sandbox refuses it).
    const chain =
      "{% set sc = ([''] | map(attribute='__class__.__base__.__subclasses__') | first)() %}" +
      "{% for c in sc %}{% if ([c]|map(attribute='__name__')|first) == 'catch_warnings' %}" +
      "{{ [c()]|map(attribute='_module.__builtins__.__import__')|first }}{% endif %}{% endfor %}";
    assert.deepEqual(constructs(injection, chain), [
      "map(attribute='__class__.__base__.__subclasses__')",
      "map(attribute='__name__')",
      "map(attribute='_module.__builtins__.__import__')",
    ]);
    assert.deepEqual(constructs(injection, "{{ messages|selectattr('__class__')|list }}"), [
      "selectattr('__class__')",
    ]);
    assert.deepEqual(constructs(injection, "{{ x|sort(attribute='os.popen')|first }}"), [
      "sort(attribute='os.popen')",
    ]);
    assert.deepEqual(
      constructs(injection, "{% filter map(attribute='__class__') %}ab{% endfilter %}"),
      ["map(attribute='__class__')"],
    );
    // Ordinary attribute paths stay clean.
    assert.deepEqual(
      runRule(
        injection,
        header(
          "{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content.text')|list }}",
        ),
      ),
      [],
    );
  });

  it('reports named templates at the value bytes with a logical path', () => {
    const [f] = runRule(injection, header('{{ x.__class__ }}', 'tokenizer.chat_template.tool_use'));
    assert.equal(f?.verdict, 'malicious');
    assert.equal(f?.severity, 'critical');
    // `__class__` is at characters 5-14 of the template, whose bytes start at 12.
    assert.deepEqual(f?.primary.span, { start: 17, end: 26 });
    assert.deepEqual(
      f?.related.map((r) => [r.span, r.label]),
      [[{ start: 12, end: 20 }, 'the whole template']],
    );
    assert.deepEqual(f?.primary.path, ['metadata', 'tokenizer.chat_template.tool_use']);
    assert.equal(
      f?.message,
      'chat template `tokenizer.chat_template.tool_use` uses `__class__`, a Jinja sandbox escape (CVE-2024-34359): rendering it can run code',
    );
  });

  it('falls back to dunder words in the text of an unparsable template', () => {
    assert.deepEqual(constructs(injection, '{% for x in ().__class__.__base__ %}{% endfor %}'), [
      '__class__',
      '__base__',
    ]);
    assert.deepEqual(runRule(injection, header('{% if %} __init (not a dunder)')), []);
  });

  it('ignores other keys', () => {
    assert.deepEqual(runRule(injection, header('{{ x.__class__ }}', 'general.description')), []);
  });
});

describe('gguf/chat-template-odd-construct', () => {
  it('valid: ordinary templates', () => {
    assert.deepEqual(runRule(odd, header("{{ messages[0]['content'] }}")), []);
  });

  it('invalid: attr() with a harmless or computed name, dunder fragments', () => {
    assert.deepEqual(constructs(odd, "{{ x|attr('content') }}"), ["attr('content')"]);
    assert.deepEqual(constructs(odd, '{{ x|attr(name) }}'), ['attr(<computed name>)']);
    assert.deepEqual(constructs(odd, "{{ x|attr('__cla' ~ 'ss__') }}"), [
      'attr(<computed name>)',
      "string '__cla' looks like part of a dunder name",
      "string 'ss__' looks like part of a dunder name",
    ]);
    assert.equal(runRule(odd, header("{{ x|attr('a') }}"))[0]?.verdict, 'suspicious');
  });
});

describe('gguf/chat-template-unparsable', () => {
  it('valid: parsable templates', () => {
    assert.deepEqual(runRule(unparsable, header('{{ bos_token }}')), []);
  });

  it('invalid: syntax errors', () => {
    const [f] = runRule(unparsable, header('{% if %}x'));
    assert.equal(f?.messageId, 'unparsable');
    assert.equal(f?.verdict, 'suspicious');
  });
});
