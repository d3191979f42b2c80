/**
 * English texts. This file defines the keys and the `{params}` of every message; sw.ts must
 * match it key for key. Texts stay within the GSM-7 alphabet (no curly quotes, dashes or emoji)
 * because any of them may go out by SMS. Amount params arrive formatted ("KES 1,500").
 */
export const en = {
  // ------------------------------------------------------------------ help
  help:
    'InvoiceIQ commands:\n' +
    'invoice 0712345678 1500 Logo design - send an invoice in one message\n' +
    'invoice - create an invoice step by step\n' +
    'remind INV-7KQ2MX - remind the customer to pay\n' +
    'cancel INV-7KQ2MX - cancel an unpaid invoice\n' +
    'status INV-7KQ2MX - see where an invoice stands\n' +
    'list - your open invoices\n' +
    'customers - your saved customers\n' +
    'lang sw - switch to Kiswahili (lang en for English)\n' +
    'help - this list\n\n' +
    'Customer: a phone number or a saved name, e.g. invoice Mary 500 Cleaning. ' +
    'Put a name with spaces in quotes: invoice "Mary Wanjiku" 500 Cleaning\n' +
    'Amount: 1500, 1,500, KES 1500 or 1.5k. Whole shillings, up to 250,000.',
  help_flow:
    "You're creating an invoice. Answer the question below, reply back to go one step back, " +
    'or cancel to stop.\n\n{prompt}',
  unknown_command: "Sorry, I didn't understand that. Send help to see what I can do.",

  // --------------------------------------------- examples used in errors
  example_invoice: 'invoice 0712345678 1500 Logo design',
  example_invoice_name: 'invoice Mary 1500 Logo design',
  example_customer: '0712 345 678 or Mary',
  example_name: 'Mary Wanjiku',
  example_amount: '1500',
  example_description: 'Logo design',
  example_ref: '{command} INV-7KQ2MX',

  // ------------------------------------------- one reply per parser problem
  err_missing_customer:
    'Who is the invoice for? Put the customer (phone number or saved name) before the amount. Example: {example}',
  err_bad_phone_not_kenyan:
    'That number is not Kenyan. I can only send invoices to Kenyan M-PESA numbers. Example: {example}',
  err_bad_phone_not_mobile:
    "That number isn't a mobile number. Use a Safaricom, Airtel or Telkom mobile (07... or 01...). Example: {example}",
  err_bad_phone_not_a_number:
    "That doesn't look like a phone number. Use the customer's mobile, like 0712 345 678. Example: {example}",
  err_bad_name:
    'That name has characters I cannot use. Start with a letter, keep it under 40 characters. Example: {example}',
  err_missing_amount: 'How much is it? Put the amount after the customer. Example: {example}',
  err_bad_amount:
    "That amount isn't valid. Write it like 1500, 1,500, KES 1500 or 1.5k. Example: {example}",
  err_amount_not_whole:
    'M-PESA takes whole shillings only, no cents. Round the amount. Example: {example}',
  err_amount_too_small: 'The amount must be at least KES 1. Example: {example}',
  err_amount_too_large:
    'That is more than M-PESA allows in one payment. Amounts go up to KES 250,000. Example: {example}',
  err_missing_description:
    'What is the invoice for? Add a short description after the amount. Example: {example}',
  err_description_too_short:
    'The description is too short: use 3 to 120 characters. Example: {example}',
  err_description_too_long:
    'The description is too long: keep it to 120 characters. Example: {example}',
  err_missing_ref: 'Which invoice? Add its reference. Example: {example}',
  err_bad_ref: "That isn't an invoice reference. They look like INV-7KQ2MX. Example: {example}",
  err_bad_language: 'I speak English and Kiswahili. Send lang en or lang sw.',

  // ------------------------------------------------------------ guided flow
  flow_ask_customer:
    "New invoice. Who is it for? Send the customer's phone number (like 0712 345 678) or a saved customer's name.",
  flow_ask_name: 'New customer {phone}. What is their name? Reply - to skip.',
  flow_ask_amount: 'How much is the invoice for {customer}? Whole shillings, like 1500 or 1.5k.',
  flow_ask_description:
    'What is it for? A short description, like Logo design (3 to 120 characters).',
  flow_preview:
    'Please check the invoice:\nTo: {customer}\nAmount: {amount}\nFor: {description}\n\nSend it?',
  btn_send: 'Send',
  btn_edit: 'Edit',
  btn_cancel: 'Cancel',
  flow_edit_prompt: 'What do you want to change?',
  btn_edit_list: 'Choose',
  row_edit_customer: 'Customer',
  row_edit_amount: 'Amount',
  row_edit_description: 'Description',
  flow_reprompt_customer:
    "Please send the customer's phone number or a saved name. Example: 0712 345 678 or Mary",
  flow_reprompt_name: 'Please send the customer name, or - to skip. Example: Mary Wanjiku',
  flow_reprompt_amount: 'Please send the amount in whole shillings. Example: 1500',
  flow_reprompt_description:
    'Please send a short description (3 to 120 characters). Example: Logo design',
  flow_too_many_tries:
    "That's 3 tries. Do you want to stop this invoice? Tap Cancel to stop, or just try again.",
  btn_keep_going: 'Keep going',
  flow_nudge: 'Still there? Reply to continue, or send cancel to stop this invoice.',
  flow_expired:
    'I closed your unfinished invoice after 15 minutes without a reply. Send invoice to start again.',
  flow_replace_draft: 'You have an unfinished invoice. Replace it with this new one?',
  btn_replace: 'Yes, replace',
  btn_keep_draft: 'No, keep it',
  flow_draft_kept: 'OK, I kept your unfinished invoice. Let us continue.',
  flow_cancelled: 'Cancelled. No invoice was sent.',
  flow_nothing_to_cancel: 'There is nothing to cancel. Send help to see what I can do.',
  flow_at_first_step: 'This is the first step, there is nothing before it.',

  // ------------------------------------------------------- merchant notices
  invoice_sent:
    'Invoice {ref} sent to {customer} by {channel}.\nAmount: {amount}\nFor: {description}',
  channel_whatsapp: 'WhatsApp',
  channel_sms: 'SMS',
  btn_remind: 'Remind',
  btn_cancel_invoice: 'Cancel invoice',
  delivery_failed:
    'I could not deliver invoice {ref} to {customer} by WhatsApp or by SMS. Check the number, then send a new invoice.',
  merchant_paid:
    '{customer} paid {amount} for invoice {ref}.\nM-PESA receipt: {receipt}\nBalance: {balance}',
  merchant_partially_paid:
    '{customer} paid part of invoice {ref}: {amount}.\nM-PESA receipt: {receipt}\nStill to pay: {balance}',
  merchant_payment_failed: "{customer}'s payment for invoice {ref} did not go through: {reason}.",
  reason_cancelled: 'they cancelled the M-PESA request',
  reason_wrong_pin: 'they entered a wrong M-PESA PIN',
  reason_insufficient_funds: 'not enough money in their M-PESA',
  reason_timeout: 'they did not enter their PIN in time',
  reason_other: 'M-PESA could not complete it',
  invoice_cancelled: 'Invoice {ref} is cancelled. I have told the customer.',
  invoice_already_paid: 'Invoice {ref} is already paid in full.',
  invoice_already_cancelled: 'Invoice {ref} was already cancelled.',
  reminder_sent: 'Reminder for invoice {ref} sent to {customer}.',
  remind_rate_limited: 'You reminded the customer about {ref} recently. Try again after {time}.',
  not_found:
    'I cannot find invoice {ref}. Check the reference, or send list to see your open invoices.',
  status_reply:
    'Invoice {ref} for {customer}\nStatus: {state}\nAmount: {amount}\nPaid: {paid}\nBalance: {balance}\nDelivery: {delivery}',
  state_ready: 'not sent yet',
  state_sent: 'sent, waiting for payment',
  state_payment_pending: 'payment in progress',
  state_partially_paid: 'partly paid',
  state_paid: 'paid',
  state_failed: 'last payment attempt failed',
  state_cancelled: 'cancelled',
  state_expired: 'expired unpaid',
  delivery_status_line: '{status} by {channel}, {time}',
  delivery_status_none: 'not sent yet',
  delivery_status_queued: 'waiting to send',
  delivery_status_sent: 'sent',
  delivery_status_delivered: 'delivered',
  delivery_status_read: 'read',
  delivery_status_failed: 'failed',
  list_reply:
    'Your open invoices ({count}):\n{lines}\n\nSend status and the reference for details.',
  list_line: '{ref} - {customer} - {balance} due - {date}',
  list_empty: 'You have no open invoices. Send invoice to create one.',
  customers_reply: 'Your customers ({count}):\n{lines}',
  customers_line: '{name} - {phone}',
  customers_line_unnamed: '{phone}',
  customers_empty:
    'You have no saved customers yet. A customer is saved when you first send them an invoice.',
  language_switched: "OK, I'll reply in English from now on.",
  name_unknown:
    "I don't have a saved customer called {name}. What is their phone number? Example: 0712 345 678",
  name_ambiguous:
    'More than one customer matches {name}:\n{options}\nReply with the number of the right one.',
  name_option: '{index}. {name} ({phone})',

  // ----------------------------------------------- strangers and sign-up
  stranger_help:
    'Hi, this is InvoiceIQ: invoices and M-PESA payments for Kenyan businesses. ' +
    'If you received an invoice, tap Pay with M-PESA on it or reply PAY and its reference. ' +
    'To send invoices for your business, send register.',
  signup_closed: 'InvoiceIQ is open by invitation for now. To get access, contact {contact}.',
  register_ask_business:
    'Welcome to InvoiceIQ! What is the name of your business? Customers see it on every invoice.',
  register_bad_business: 'Please send a business name of 2 to 40 characters.',
  register_ask_language: 'Which language should I use with you and your customers?',
  btn_lang_en: 'English',
  btn_lang_sw: 'Kiswahili',
  register_done:
    "You're all set, {business}! Send your first invoice like this:\ninvoice 0712345678 1500 Logo design\n" +
    'Send help any time to see all commands.',
  already_registered: '{business} is already registered. Send help to see what I can do.',

  // ----------------------------------------------------- to the customer
  customer_invoice:
    '{merchant} has sent you invoice {ref}.\nFor: {description}\nAmount: {amount}\nTo pay: {balance}\n\n' +
    'Tap Pay with M-PESA below, or pay here: {link}',
  btn_pay: 'Pay with M-PESA',
  btn_open_pay_page: 'Open pay page',
  stk_sent: 'Check your phone and enter your M-PESA PIN to pay {amount} to {merchant}.',
  stk_already_pending:
    'A payment request is already on your phone. Enter your M-PESA PIN there, or wait a minute and try again.',
  pay_cancelled:
    'You cancelled the M-PESA request for invoice {ref}. Tap Try again when you are ready.',
  pay_wrong_pin:
    'The M-PESA PIN was wrong, so invoice {ref} is not paid. Tap Try again to get a new request.',
  pay_insufficient_funds:
    'Your M-PESA balance is not enough to pay {amount} for invoice {ref}. Top up, then tap Try again.',
  pay_timeout:
    'The M-PESA request for invoice {ref} timed out before the PIN was entered. Tap Try again.',
  pay_failed_other:
    'M-PESA could not complete the payment for invoice {ref}. Tap Try again in a moment.',
  btn_try_again: 'Try again',
  pay_attempts_exhausted:
    'The payment for invoice {ref} did not go through after several tries. You can still pay here: {link} or contact {merchant}.',
  customer_receipt:
    'Payment received, thank you!\n{merchant}, invoice {ref}\nPaid: {amount}\nM-PESA receipt: {receipt}\nBalance: {balance}',
  customer_receipt_partial:
    'Payment received, thank you!\n{merchant}, invoice {ref}\nPaid: {amount}\nM-PESA receipt: {receipt}\n' +
    'Still to pay: {balance}. Tap Pay with M-PESA to pay the rest.',
  customer_already_paid: 'Invoice {ref} is already paid in full. Thank you!',
  customer_no_open_invoice: 'You have no unpaid invoice here right now.',
  customer_stopped:
    "Done. You won't get any more reminders from {merchant}. You can still pay by replying PAY and the invoice reference.",
  customer_help:
    'This is the payment line for {merchant}. Invoice {ref}, {balance} to pay: tap Pay with M-PESA or reply PAY {ref}. ' +
    'For anything else, please contact {merchant} directly. Reply STOP to stop reminders.',
  unsupported_message: 'Sorry, I can only read text messages and button taps.',
  customer_invoice_cancelled: '{merchant} has cancelled invoice {ref}. You do not need to pay it.',
  customer_invoice_expired:
    'Invoice {ref} from {merchant} has expired and can no longer be paid here. Contact {merchant} if you still want to pay.',
  merchant_invoice_expired:
    'Invoice {ref} to {customer} expired unpaid (paid {paid} of {amount}). Send a new invoice if it is still due.',
  sms_invoice: '{merchant}: invoice {ref} {amount}. Pay: {link} or reply PAY {ref}',
  sms_try_again: 'Reply PAY {ref} to try again.',

  // ------------------------------------------------------------- bot glue
  invoice_created:
    'Invoice {ref} for {customer} is created and on its way.\nAmount: {amount}\nFor: {description}',
  sms_reply_option: 'Reply {n} for {title}',
  sms_invoice_actions: 'Reply remind {ref} to remind the customer, or cancel {ref} to cancel it.',
  invoice_action_refused: 'I cannot do that for invoice {ref} right now: it is {state}.',
  pay_not_found:
    'I cannot find an unpaid invoice {ref} for this number. Please check the reference on your invoice.',
} as const satisfies Record<string, string>;
