import { randomBytes } from 'node:crypto';

/** One refusal of the simulated Cloud API: Meta's code, HTTP status, title and details. */
export interface MetaError {
  code: number;
  httpStatus: number;
  title: string;
  details: string;
  subcode?: number;
}

export interface MetaErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

/** Meta's error envelope (PROTOCOLS.md §2): `message` is "(#code) title". */
export function metaErrorBody(e: MetaError): MetaErrorBody {
  return {
    error: {
      message: e.code === 190 ? e.title : `(#${e.code}) ${e.title}`,
      type: 'OAuthException',
      code: e.code,
      ...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
      ...(e.code === 190
        ? {}
        : { error_data: { messaging_product: 'whatsapp', details: e.details } }),
      fbtrace_id: randomBytes(12).toString('base64url'),
    },
  };
}

export const metaErrors = {
  auth: (): MetaError => ({
    code: 190,
    httpStatus: 401,
    title: 'Invalid OAuth access token - Cannot parse access token',
    details: 'Invalid OAuth access token',
  }),
  unknownPhoneId: (id: string): MetaError => ({
    code: 100,
    httpStatus: 400,
    subcode: 33,
    title: `Unsupported post request. Object with ID '${id.slice(0, 40)}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
    details: 'Unknown phone number id',
  }),
  invalidParameter: (details: string): MetaError => ({
    code: 100,
    httpStatus: 400,
    title: 'Invalid parameter',
    details,
  }),
  parameterValue: (details: string): MetaError => ({
    code: 131009,
    httpStatus: 400,
    title: 'Parameter value is not valid',
    details,
  }),
  templateParamCount: (details: string): MetaError => ({
    code: 132000,
    httpStatus: 400,
    title: 'Number of parameters does not match the expected number of params',
    details,
  }),
  templateMissing: (details: string): MetaError => ({
    code: 132001,
    httpStatus: 404,
    title: 'Template name does not exist in the translation',
    details,
  }),
  templateParamFormat: (details: string): MetaError => ({
    code: 132018,
    httpStatus: 400,
    title: 'There was an issue with the parameters in your template.',
    details,
  }),
  reEngagement: (): MetaError => ({
    code: 131047,
    httpStatus: 400,
    title: 'Re-engagement message',
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  }),
  undeliverable: (): MetaError => ({
    code: 131026,
    httpStatus: 400,
    title: 'Message undeliverable',
    details: 'Unable to deliver message. The recipient is not a WhatsApp user.',
  }),
  throughput: (perSecond: number): MetaError => ({
    code: 130429,
    httpStatus: 400,
    title: 'Rate limit hit',
    details: `Cloud API message throughput (${perSecond} messages per second) has been reached.`,
  }),
};
