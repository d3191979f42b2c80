import fc from 'fast-check';
import { chatText, hugeString, invoiceRefLike, nastyString, weirdNumber } from './arbitraries';

/** Ids the seeded app knows, so that generated payloads also reach the matching paths. */
export interface KnownIds {
  /** Digits only, as WhatsApp sends them: merchants and customers of the seeded invoices. */
  waIds: string[];
  /** provider_message_id of outbound WhatsApp messages. */
  wamids: string[];
  /** provider_message_id of outbound SMS. */
  smsIds: string[];
  /** CheckoutRequestIDs of pushes waiting for their result. */
  checkoutIds: string[];
  refs: string[];
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const pick = <T>(known: T[], other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  known.length > 0 ? fc.oneof(fc.constantFrom(...known), other) : other;

// ------------------------------------------------------------------------ WhatsApp

const timestamp = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.integer({ min: -600, max: 600 }).map((d) => String(nowSeconds() + d)),
  },
  { weight: 1, arbitrary: weirdNumber },
  { weight: 1, arbitrary: nastyString(12) },
);

export function whatsAppArbitraries(known: KnownIds) {
  const waId = fc.oneof(
    { weight: 3, arbitrary: pick(known.waIds, fc.stringMatching(/^2547\d{8}$/)) },
    { weight: 1, arbitrary: fc.stringMatching(/^\d{1,18}$/) },
    { weight: 1, arbitrary: nastyString(20) },
  );
  const wamid = pick(
    known.wamids,
    fc.oneof(fc.stringMatching(/^wamid\.[A-Za-z0-9=]{8,60}$/), nastyString(40)),
  );
  const buttonId = fc.oneof(
    fc
      .tuple(fc.constantFrom('pay:', 'retry:', 'flow:', 'remind:', 'cancel:', ''), invoiceRefLike)
      .map(([p, r]) => p + r),
    fc.constantFrom('flow:send', 'flow:edit', 'flow:cancel', 'menu:help'),
    nastyString(40),
  );
  const base = { from: waId, id: wamid, timestamp };
  const message = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        ...base,
        type: fc.constant('text'),
        text: fc.record({ body: chatText }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        ...base,
        type: fc.constant('interactive'),
        interactive: fc.oneof(
          fc.record({
            type: fc.constant('button_reply'),
            button_reply: fc.record({ id: buttonId, title: nastyString(20) }),
          }),
          fc.record({
            type: fc.constant('list_reply'),
            list_reply: fc.record({
              id: buttonId,
              title: nastyString(24),
              description: nastyString(30),
            }),
          }),
          fc.record({ type: nastyString(12) }),
        ),
        context: fc.record({ from: waId, id: wamid }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        ...base,
        type: fc.constant('button'),
        button: fc.record({ payload: buttonId, text: nastyString(20) }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        ...base,
        type: fc.constantFrom('image', 'audio', 'location', 'reaction', 'unsupported', 'system'),
        image: fc.record({ id: nastyString(10), mime_type: fc.constant('image/jpeg') }),
      }),
    },
    {
      // Usernames (2026): a user_id and no phone number.
      weight: 1,
      arbitrary: fc.record({
        user_id: nastyString(20),
        id: wamid,
        timestamp,
        type: fc.constant('text'),
        text: fc.record({ body: chatText }),
      }),
    },
  );
  const status = fc.record(
    {
      id: wamid,
      status: fc.oneof(
        fc.constantFrom('sent', 'delivered', 'read', 'failed'),
        fc.constantFrom('deleted', 'warning', 'SENT', ''),
        nastyString(10),
      ),
      timestamp,
      recipient_id: waId,
      errors: fc.array(
        fc.record({
          code: fc.oneof(
            fc.constantFrom(131026, 131047, 131049, 131056, 130429, 100, 190, 132001),
            weirdNumber,
            nastyString(8),
          ),
          title: nastyString(30),
          message: nastyString(30),
          error_data: fc.record({ details: nastyString(40) }),
        }),
        { maxLength: 2 },
      ),
      conversation: fc.record({
        id: nastyString(10),
        origin: fc.record({ type: nastyString(10) }),
      }),
      pricing: fc.record({ billable: fc.boolean(), category: nastyString(10) }),
    },
    { requiredKeys: ['id', 'status', 'timestamp', 'recipient_id'] },
  );
  const value = fc.record(
    {
      messaging_product: fc.constant('whatsapp'),
      metadata: fc.record({
        display_phone_number: fc.constant('15550783881'),
        phone_number_id: fc.constant('106540352242922'),
      }),
      contacts: fc.array(
        fc.record({ profile: fc.record({ name: nastyString(30) }), wa_id: waId }),
        { maxLength: 2 },
      ),
      messages: fc.array(message, { minLength: 1, maxLength: 3 }),
      statuses: fc.array(status, { minLength: 1, maxLength: 4 }),
      errors: fc.array(fc.record({ code: weirdNumber, title: nastyString(20) }), { maxLength: 1 }),
    },
    { requiredKeys: ['messaging_product', 'metadata'] },
  );
  const envelope = fc.record({
    object: fc.constant('whatsapp_business_account'),
    entry: fc.array(
      fc.record({
        id: fc.constant('102290129340398'),
        changes: fc.array(
          fc.record({
            field: fc.oneof(
              { weight: 5, arbitrary: fc.constant('messages') },
              {
                weight: 1,
                arbitrary: fc.constantFrom('message_template_status_update', 'account_update'),
              },
            ),
            value,
          }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  });
  return { envelope, value, message, status };
}

// ------------------------------------------------------------------ Africa's Talking

export type FormField = [string, string];

/** A field that may be missing, repeated, or junk. */
function formField(name: string, good: fc.Arbitrary<string>): fc.Arbitrary<FormField[]> {
  return fc.oneof(
    { weight: 8, arbitrary: good.map((v): FormField[] => [[name, v]]) },
    { weight: 1, arbitrary: fc.constant<FormField[]>([]) },
    {
      weight: 1,
      arbitrary: fc.tuple(good, nastyString(20)).map(([a, b]): FormField[] => [
        [name, a],
        [name, b],
      ]),
    },
    { weight: 2, arbitrary: nastyString(40).map((v): FormField[] => [[name, v]]) },
  );
}

const atDate = fc.oneof(
  fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().replace('T', ' ').slice(0, 19)),
  fc.constantFrom(
    '9999-99-99 99:99:99',
    '2026-02-30',
    '0000-00-00T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
  ),
);

export function smsArbitraries(known: KnownIds, senders: string[]) {
  const atId = fc.oneof(
    fc.stringMatching(/^ATXid_[a-f0-9]{8,32}$/),
    pick(known.smsIds, fc.stringMatching(/^[\x21-\x7e]{1,128}$/)),
  );
  const sender = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...senders) },
    { weight: 2, arbitrary: fc.stringMatching(/^\+2547\d{8}$/) },
    { weight: 1, arbitrary: nastyString(20) },
  );
  const extra = fc.array(fc.tuple(nastyString(12), nastyString(20)), { maxLength: 3 });
  const inbound = fc
    .tuple(
      formField('id', atId),
      formField('from', sender),
      formField('to', fc.constantFrom('21525', '40404', 'INVOICEIQ')),
      formField(
        'text',
        fc.oneof(
          { weight: 6, arbitrary: chatText },
          { weight: 1, arbitrary: hugeString.map((s) => s.slice(0, 6_000)) },
        ),
      ),
      formField('date', atDate),
      formField('linkId', fc.stringMatching(/^[a-f0-9-]{8,36}$/)),
      formField('networkCode', fc.constantFrom('63902', '63903', '63907')),
      extra,
    )
    .map((groups) => groups.flat());
  const status = fc
    .tuple(
      formField('id', atId),
      formField(
        'status',
        fc.constantFrom(
          'Sent',
          'Submitted',
          'Buffered',
          'Rejected',
          'Success',
          'Failed',
          'success',
          'Expired',
        ),
      ),
      formField('phoneNumber', sender),
      formField('networkCode', fc.constantFrom('63902', '63903', '63907')),
      formField(
        'failureReason',
        fc.constantFrom(
          'InsufficientCredit',
          'UserInBlackList',
          'DeliveryFailure',
          'AbsentSubscriber',
          'UserDoesNotExist',
        ),
      ),
      formField(
        'retryCount',
        fc.oneof(fc.nat({ max: 10 }).map(String), fc.constantFrom('-1', '1e3', '9999999999')),
      ),
      extra,
    )
    .map((groups) => groups.flat());
  const optOut = fc
    .tuple(
      formField('senderId', fc.constantFrom('INVOICEIQ', '21525')),
      formField('phoneNumber', sender),
      extra,
    )
    .map((groups) => groups.flat());
  return { inbound, status, optOut };
}

// --------------------------------------------------------------------------- Daraja

export function darajaArbitraries(known: KnownIds) {
  const checkoutId = pick(
    known.checkoutIds,
    fc.oneof(fc.stringMatching(/^ws_CO_\d{20,30}$/), nastyString(40)),
  );
  const item = (name: string, value: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 5, arbitrary: value.map((v) => ({ Name: name, Value: v })) },
      { weight: 1, arbitrary: fc.constant({ Name: name }) },
    );
  const metadata = fc.record({
    Item: fc
      .tuple(
        item(
          'Amount',
          fc.oneof(fc.constantFrom(1, 1.0, 100, 1500, 1500.0, 0, -5, 250_001), weirdNumber),
        ),
        item('MpesaReceiptNumber', fc.oneof(fc.stringMatching(/^[A-Z0-9]{10}$/), nastyString(20))),
        item('Balance', fc.constant(undefined)),
        item(
          'TransactionDate',
          fc.oneof(fc.constant(20260417101500), weirdNumber, nastyString(14)),
        ),
        item(
          'PhoneNumber',
          fc.oneof(fc.constantFrom(254708374149, '0722XXX489', 'f00d'), weirdNumber),
        ),
      )
      .chain((items) => fc.shuffledSubarray(items, { minLength: 0, maxLength: items.length })),
  });
  const stkCallback = fc.record(
    {
      MerchantRequestID: fc.oneof(fc.stringMatching(/^[0-9a-f-]{10,36}$/), nastyString(20)),
      CheckoutRequestID: checkoutId,
      ResultCode: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(0, 1, 17, 26, 1001, 1019, 1025, 1032, 1037, 2001, 2028, 9999),
        },
        { weight: 1, arbitrary: fc.constantFrom('0', '1032', 'SFC_IC0003', '', ' 0 ', '0x0') },
        { weight: 1, arbitrary: weirdNumber },
        { weight: 1, arbitrary: nastyString(12) },
      ),
      ResultDesc: nastyString(60),
      CallbackMetadata: metadata,
    },
    { requiredKeys: ['MerchantRequestID', 'CheckoutRequestID', 'ResultCode', 'ResultDesc'] },
  );
  const callback = stkCallback.map((cb) => ({ Body: { stkCallback: cb } }));
  return { callback, checkoutId };
}
