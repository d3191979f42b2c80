import type { InboundMessage } from '../common/messaging/inbound-message.port';
import { buttonOf, choiceNumber } from './inbound-text';

const message = (over: Partial<InboundMessage>): InboundMessage => ({
  channel: 'sms',
  id: 'ATXid_1',
  from: '+254712345678',
  type: 'text',
  receivedAt: new Date(),
  ...over,
});

describe('buttonOf', () => {
  const offered = ['flow:send', 'flow:edit', 'flow:cancel'];

  it('takes a tapped button as is, on either channel', () => {
    expect(buttonOf(message({ channel: 'whatsapp', buttonId: 'flow:edit' }), offered)).toBe(
      'flow:edit',
    );
  });

  it('maps an SMS digit to the option offered in that position', () => {
    expect(buttonOf(message({ text: '1' }), offered)).toBe('flow:send');
    expect(buttonOf(message({ text: ' 3. ' }), offered)).toBe('flow:cancel');
    expect(buttonOf(message({ text: '4' }), offered)).toBeNull();
    expect(buttonOf(message({ text: '1500' }), offered)).toBeNull();
  });

  it('leaves typed digits on WhatsApp alone: there the buttons are tapped', () => {
    expect(buttonOf(message({ channel: 'whatsapp', text: '1' }), offered)).toBeNull();
  });
});

describe('choiceNumber', () => {
  it('reads "2", "2." and "#2", nothing else', () => {
    expect(choiceNumber('2')).toBe(2);
    expect(choiceNumber(' 2. ')).toBe(2);
    expect(choiceNumber('#2')).toBe(2);
    expect(choiceNumber('two')).toBeNull();
    expect(choiceNumber('0712345678')).toBeNull();
    expect(choiceNumber(undefined)).toBeNull();
  });
});

describe('long texts', () => {
  it('reads a digit followed by a long run of spaces in linear time', () => {
    const text = `1${' '.repeat(60_000)}x`;
    const started = performance.now();
    expect(choiceNumber(text)).toBeNull();
    expect(buttonOf(message({ text }), ['flow:send'])).toBeNull();
    expect(choiceNumber(` #2 . `)).toBe(2);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
