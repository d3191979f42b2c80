/** Where a message is: outbound ones move forward only (queued → sent → delivered → read, or failed); inbound ones are 'received'. */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';
export type MessageKind = 'template' | 'text' | 'buttons' | 'list' | 'cta' | 'document' | 'sms';
