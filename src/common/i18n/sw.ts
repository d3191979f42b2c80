import type { Catalogue } from './catalogue';

/**
 * Kiswahili as Kenyans write it to each other and as M-PESA speaks it (weka PIN, lipa, salio,
 * risiti, bonyeza). Command words stay English (invoice, remind, list...) because that is what
 * the parser reads first; the Swahili aliases also work. GSM-7 only, like en.ts.
 */
export const sw: Catalogue = {
  // ------------------------------------------------------------------ help
  help:
    'Amri za InvoiceIQ:\n' +
    'invoice 0712345678 1500 Kushona nguo - tuma ankara kwa ujumbe mmoja\n' +
    'invoice - tengeneza ankara hatua kwa hatua\n' +
    'remind INV-7KQ2MX - mkumbushe mteja alipe\n' +
    'cancel INV-7KQ2MX - ghairi ankara ambayo haijalipwa\n' +
    'status INV-7KQ2MX - angalia hali ya ankara\n' +
    'list - ankara zako ambazo bado hazijalipwa\n' +
    'customers - wateja wako uliowahifadhi\n' +
    'lang en - badili kwa Kiingereza (lang sw kwa Kiswahili)\n' +
    'help - orodha hii (au andika msaada)\n\n' +
    'Mteja: nambari ya simu au jina ulilohifadhi, mfano invoice Mary 500 Usafi. ' +
    'Jina lenye nafasi liweke ndani ya alama za nukuu: invoice "Mary Wanjiku" 500 Usafi\n' +
    'Kiasi: 1500, 1,500, KES 1500 au 1.5k. Shilingi kamili, hadi 250,000.',
  help_flow:
    'Unatengeneza ankara. Jibu swali lililo hapa chini, tuma back kurudi hatua moja nyuma, ' +
    'au cancel kusitisha.\n\n{prompt}',
  unknown_command: 'Samahani, sijaelewa. Tuma help uone ninachoweza kufanya.',

  // --------------------------------------------- examples used in errors
  example_invoice: 'invoice 0712345678 1500 Kushona nguo',
  example_invoice_name: 'invoice Mary 1500 Kushona nguo',
  example_customer: '0712 345 678 au Mary',
  example_name: 'Mary Wanjiku',
  example_amount: '1500',
  example_description: 'Kushona nguo',
  example_ref: '{command} INV-7KQ2MX',

  // ------------------------------------------- one reply per parser problem
  err_missing_customer:
    'Ankara ni ya nani? Weka mteja (nambari ya simu au jina ulilohifadhi) kabla ya kiasi. Mfano: {example}',
  err_bad_phone_not_kenyan:
    'Hiyo si nambari ya Kenya. Ninatuma ankara kwa nambari za M-PESA za Kenya pekee. Mfano: {example}',
  err_bad_phone_not_mobile:
    'Hiyo si nambari ya simu ya mkononi. Tumia nambari ya Safaricom, Airtel au Telkom (07... au 01...). Mfano: {example}',
  err_bad_phone_not_a_number:
    'Hiyo haionekani kama nambari ya simu. Tumia nambari ya mteja, kama 0712 345 678. Mfano: {example}',
  err_bad_name:
    'Jina hilo lina alama nisizoweza kutumia. Lianze kwa herufi, na lisizidi herufi 40. Mfano: {example}',
  err_missing_amount: 'Ni shilingi ngapi? Weka kiasi baada ya mteja. Mfano: {example}',
  err_bad_amount:
    'Kiasi hicho si sahihi. Kiandike kama 1500, 1,500, KES 1500 au 1.5k. Mfano: {example}',
  err_amount_not_whole:
    'M-PESA inakubali shilingi kamili pekee, bila senti. Tafadhali rekebisha kiasi. Mfano: {example}',
  err_amount_too_small: 'Kiasi kiwe angalau KES 1. Mfano: {example}',
  err_amount_too_large:
    'Kiasi hicho kinazidi kiwango cha juu cha M-PESA kwa muamala mmoja, ambacho ni KES 250,000. Mfano: {example}',
  err_missing_description:
    'Ankara ni ya nini? Ongeza maelezo mafupi baada ya kiasi. Mfano: {example}',
  err_description_too_short: 'Maelezo ni mafupi mno: tumia herufi 3 hadi 120. Mfano: {example}',
  err_description_too_long: 'Maelezo ni marefu mno: yasizidi herufi 120. Mfano: {example}',
  err_missing_ref: 'Ankara ipi? Ongeza nambari yake ya ankara. Mfano: {example}',
  err_bad_ref:
    'Hiyo si nambari ya ankara. Nambari za ankara huonekana hivi: INV-7KQ2MX. Mfano: {example}',
  err_bad_language: 'Ninaongea Kiingereza na Kiswahili. Tuma lang en au lang sw.',

  // ------------------------------------------------------------ guided flow
  flow_ask_customer:
    'Ankara mpya. Ni ya nani? Tuma nambari ya simu ya mteja (kama 0712 345 678) au jina la mteja uliyemhifadhi.',
  flow_ask_name: 'Mteja mpya {phone}. Jina lake ni nani? Jibu - kuruka hatua hii.',
  flow_ask_amount: 'Ankara ya {customer} ni shilingi ngapi? Shilingi kamili, kama 1500 au 1.5k.',
  flow_ask_description: 'Ni ya nini? Andika maelezo mafupi, kama Kushona nguo (herufi 3 hadi 120).',
  flow_preview:
    'Tafadhali kagua ankara:\nKwa: {customer}\nKiasi: {amount}\nMaelezo: {description}\n\nNiitume?',
  btn_send: 'Tuma',
  btn_edit: 'Badilisha',
  btn_cancel: 'Ghairi',
  flow_edit_prompt: 'Ungependa kubadilisha nini?',
  btn_edit_list: 'Chagua',
  row_edit_customer: 'Mteja',
  row_edit_amount: 'Kiasi',
  row_edit_description: 'Maelezo',
  flow_reprompt_customer:
    'Tafadhali tuma nambari ya simu ya mteja au jina ulilohifadhi. Mfano: 0712 345 678 au Mary',
  flow_reprompt_name: 'Tafadhali tuma jina la mteja, au - kuruka. Mfano: Mary Wanjiku',
  flow_reprompt_amount: 'Tafadhali tuma kiasi kwa shilingi kamili. Mfano: 1500',
  flow_reprompt_description:
    'Tafadhali tuma maelezo mafupi (herufi 3 hadi 120). Mfano: Kushona nguo',
  flow_too_many_tries:
    'Umejaribu mara 3. Ungependa kusitisha ankara hii? Bonyeza Ghairi kusitisha, au jaribu tena.',
  btn_keep_going: 'Endelea',
  flow_nudge: 'Bado uko hapo? Jibu ili tuendelee, au tuma cancel kusitisha ankara hii.',
  flow_expired:
    'Nimefunga ankara yako ambayo haikukamilika baada ya dakika 15 bila jibu. Tuma invoice kuanza upya.',
  flow_replace_draft: 'Una ankara ambayo hujaimaliza. Niibadilishe kwa hii mpya?',
  btn_replace: 'Ndiyo, badilisha',
  btn_keep_draft: 'Hapana, iache',
  flow_draft_kept: 'Sawa, nimeiacha ankara yako ya awali. Tuendelee.',
  flow_cancelled: 'Imeghairiwa. Hakuna ankara iliyotumwa.',
  flow_nothing_to_cancel: 'Hakuna cha kughairi. Tuma help uone ninachoweza kufanya.',
  flow_at_first_step: 'Hii ni hatua ya kwanza, hakuna hatua ya nyuma.',

  // ------------------------------------------------------- merchant notices
  invoice_sent:
    'Ankara {ref} imetumwa kwa {customer} kupitia {channel}.\nKiasi: {amount}\nMaelezo: {description}',
  channel_whatsapp: 'WhatsApp',
  channel_sms: 'SMS',
  btn_remind: 'Kumbusha',
  btn_cancel_invoice: 'Ghairi ankara',
  delivery_failed:
    'Sikuweza kumfikishia {customer} ankara {ref} kwa WhatsApp wala kwa SMS. Hakikisha nambari ni sahihi, kisha tuma ankara mpya.',
  merchant_paid:
    '{customer} amelipa {amount} kwa ankara {ref}.\nRisiti ya M-PESA: {receipt}\nSalio: {balance}',
  merchant_partially_paid:
    '{customer} amelipa sehemu ya ankara {ref}: {amount}.\nRisiti ya M-PESA: {receipt}\nSalio la kulipwa: {balance}',
  merchant_payment_failed: 'Malipo ya {customer} kwa ankara {ref} hayakufaulu: {reason}.',
  reason_cancelled: 'alighairi ombi la M-PESA',
  reason_wrong_pin: 'aliweka PIN ya M-PESA isiyo sahihi',
  reason_insufficient_funds: 'hana pesa za kutosha kwenye M-PESA',
  reason_timeout: 'hakuweka PIN kwa wakati',
  reason_other: 'M-PESA haikuweza kukamilisha malipo',
  invoice_cancelled: 'Ankara {ref} imeghairiwa. Nimemjulisha mteja.',
  invoice_already_paid: 'Ankara {ref} tayari imelipwa yote.',
  invoice_already_cancelled: 'Ankara {ref} ilikuwa imeshaghairiwa.',
  reminder_sent: 'Ukumbusho wa ankara {ref} umetumwa kwa {customer}.',
  remind_rate_limited:
    'Umemkumbusha mteja kuhusu {ref} hivi karibuni. Jaribu tena baada ya {time}.',
  not_found:
    'Sipati ankara {ref}. Hakikisha nambari ya ankara ni sahihi, au tuma list uone ankara zako ambazo hazijalipwa.',
  status_reply:
    'Ankara {ref} ya {customer}\nHali: {state}\nKiasi: {amount}\nImelipwa: {paid}\nSalio: {balance}\nUjumbe: {delivery}',
  state_ready: 'bado haijatumwa',
  state_sent: 'imetumwa, inasubiri malipo',
  state_payment_pending: 'malipo yanaendelea',
  state_partially_paid: 'imelipwa sehemu',
  state_paid: 'imelipwa',
  state_failed: 'jaribio la mwisho la malipo halikufaulu',
  state_cancelled: 'imeghairiwa',
  state_expired: 'muda umeisha bila kulipwa',
  delivery_status_line: '{status} kupitia {channel}, {time}',
  delivery_status_none: 'bado haujatumwa',
  delivery_status_queued: 'unasubiri kutumwa',
  delivery_status_sent: 'umetumwa',
  delivery_status_delivered: 'umefika',
  delivery_status_read: 'umesomwa',
  delivery_status_failed: 'haukufika',
  list_reply:
    'Ankara zako ambazo hazijalipwa ({count}):\n{lines}\n\nTuma status na nambari ya ankara upate maelezo zaidi.',
  list_line: '{ref} - {customer} - salio {balance} - {date}',
  list_empty: 'Huna ankara ambazo hazijalipwa. Tuma invoice kutengeneza mpya.',
  customers_reply: 'Wateja wako ({count}):\n{lines}',
  customers_line: '{name} - {phone}',
  customers_line_unnamed: '{phone}',
  customers_empty:
    'Bado huna wateja uliowahifadhi. Mteja huhifadhiwa unapomtumia ankara kwa mara ya kwanza.',
  language_switched: 'Sawa, kuanzia sasa nitakujibu kwa Kiswahili.',
  name_unknown:
    'Sina mteja aliyehifadhiwa kwa jina {name}. Nambari yake ya simu ni ipi? Mfano: 0712 345 678',
  name_ambiguous:
    'Kuna wateja zaidi ya mmoja wanaolingana na {name}:\n{options}\nJibu kwa namba iliyo mbele ya mteja unayemaanisha.',
  name_option: '{index}. {name} ({phone})',

  // ----------------------------------------------- strangers and sign-up
  stranger_help:
    'Habari, hii ni InvoiceIQ: ankara na malipo ya M-PESA kwa biashara za Kenya. ' +
    'Kama umepokea ankara, bonyeza Lipa kwa M-PESA kwenye ankara hiyo au jibu PAY na nambari ya ankara. ' +
    'Ili kutuma ankara za biashara yako, tuma register.',
  signup_closed:
    'Kwa sasa InvoiceIQ inapatikana kwa mwaliko pekee. Ili kujiunga, wasiliana na {contact}.',
  register_ask_business:
    'Karibu InvoiceIQ! Biashara yako inaitwaje? Wateja wataona jina hili kwenye kila ankara.',
  register_bad_business: 'Tafadhali tuma jina la biashara lenye herufi 2 hadi 40.',
  register_ask_language: 'Ungependa nitumie lugha gani kwako na kwa wateja wako?',
  btn_lang_en: 'English',
  btn_lang_sw: 'Kiswahili',
  register_done:
    'Tayari, {business}! Tuma ankara yako ya kwanza hivi:\ninvoice 0712345678 1500 Kushona nguo\n' +
    'Tuma help wakati wowote uone amri zote.',
  already_registered: '{business} tayari imesajiliwa. Tuma help uone ninachoweza kufanya.',

  // ----------------------------------------------------- to the customer
  customer_invoice:
    '{merchant} amekutumia ankara {ref}.\nMaelezo: {description}\nKiasi: {amount}\nKiasi cha kulipa: {balance}\n\n' +
    'Bonyeza Lipa kwa M-PESA hapa chini, au lipa hapa: {link}',
  btn_pay: 'Lipa kwa M-PESA',
  btn_open_pay_page: 'Lipa hapa',
  stk_sent: 'Angalia simu yako na uweke PIN yako ya M-PESA kulipa {amount} kwa {merchant}.',
  stk_already_pending:
    'Ombi la malipo tayari liko kwenye simu yako. Weka PIN yako ya M-PESA hapo, au subiri dakika moja ujaribu tena.',
  pay_cancelled: 'Umeghairi ombi la M-PESA la ankara {ref}. Bonyeza Jaribu tena ukiwa tayari.',
  pay_wrong_pin:
    'PIN ya M-PESA haikuwa sahihi, kwa hivyo ankara {ref} haijalipwa. Bonyeza Jaribu tena upate ombi jipya.',
  pay_insufficient_funds:
    'Salio lako la M-PESA halitoshi kulipa {amount} ya ankara {ref}. Ongeza pesa, kisha bonyeza Jaribu tena.',
  pay_timeout:
    'Muda wa ombi la M-PESA la ankara {ref} uliisha kabla PIN haijawekwa. Bonyeza Jaribu tena.',
  pay_failed_other:
    'M-PESA haikuweza kukamilisha malipo ya ankara {ref}. Bonyeza Jaribu tena baada ya muda mfupi.',
  btn_try_again: 'Jaribu tena',
  pay_attempts_exhausted:
    'Malipo ya ankara {ref} hayakufaulu baada ya majaribio kadhaa. Bado unaweza kulipa hapa: {link} au uwasiliane na {merchant}.',
  customer_receipt:
    'Malipo yamepokelewa, asante!\n{merchant}, ankara {ref}\nUmelipa: {amount}\nRisiti ya M-PESA: {receipt}\nSalio: {balance}',
  customer_receipt_partial:
    'Malipo yamepokelewa, asante!\n{merchant}, ankara {ref}\nUmelipa: {amount}\nRisiti ya M-PESA: {receipt}\n' +
    'Salio la kulipa: {balance}. Bonyeza Lipa kwa M-PESA kulipa kiasi kilichobaki.',
  customer_already_paid: 'Ankara {ref} tayari imelipwa yote. Asante!',
  customer_no_open_invoice: 'Kwa sasa huna ankara ambayo haijalipwa hapa.',
  customer_stopped:
    'Sawa. Hutapokea tena vikumbusho kutoka kwa {merchant}. Bado unaweza kulipa kwa kujibu PAY na nambari ya ankara.',
  customer_help:
    'Hii ni laini ya malipo ya {merchant}. Ankara {ref}, salio {balance}: bonyeza Lipa kwa M-PESA au jibu PAY {ref}. ' +
    'Kwa jambo lingine lolote, tafadhali wasiliana na {merchant} moja kwa moja. Jibu STOP kusimamisha vikumbusho.',
  unsupported_message:
    'Samahani, ninaweza kusoma ujumbe wa maandishi na vitufe unavyobonyeza pekee.',
  customer_invoice_cancelled: '{merchant} ameghairi ankara {ref}. Huhitaji kuilipa.',
  customer_invoice_expired:
    'Muda wa ankara {ref} kutoka {merchant} umeisha, haiwezi kulipwa hapa tena. Wasiliana na {merchant} kama bado unataka kulipa.',
  merchant_invoice_expired:
    'Muda wa ankara {ref} kwa {customer} umeisha bila kulipwa (imelipwa {paid} kati ya {amount}). Tuma ankara mpya kama bado inadaiwa.',
  sms_invoice: '{merchant}: ankara {ref} {amount}. Lipa: {link} au jibu PAY {ref}',
  sms_try_again: 'Jibu PAY {ref} ujaribu tena.',

  // ------------------------------------------------------------- bot glue
  invoice_created:
    'Ankara {ref} ya {customer} imetengenezwa na inatumwa.\nKiasi: {amount}\nMaelezo: {description}',
  sms_reply_option: 'Jibu {n} kwa {title}',
  sms_invoice_actions: 'Jibu remind {ref} kumkumbusha mteja, au cancel {ref} kuighairi.',
  invoice_action_refused: 'Siwezi kufanya hivyo kwa ankara {ref} sasa hivi: {state}.',
  pay_not_found:
    'Sipati ankara {ref} ambayo haijalipwa kwa nambari hii. Tafadhali hakikisha nambari ya ankara.',
};
