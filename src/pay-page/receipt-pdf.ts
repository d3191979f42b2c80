import PDFDocument from 'pdfkit';
import { formatKes } from '../common/money';
import type { Locale } from '../config/app-config';

export interface ReceiptData {
  locale: Locale;
  merchantName: string;
  ref: string;
  description: string;
  customerName: string | null;
  /** Already masked, e.g. 0712 *** 678. */
  customerPhoneMasked: string;
  amount: number;
  amountPaid: number;
  balance: number;
  payments: { amount: number; receipt: string | null; completedAt: Date }[];
  issuedAt: Date;
}

const LABELS = {
  en: {
    title: 'Payment receipt',
    invoice: 'Invoice',
    from: 'From',
    billedTo: 'Billed to',
    item: 'Item',
    payments: 'M-PESA payments',
    total: 'Invoice total',
    paid: 'Total paid',
    balance: 'Balance due',
    issued: 'Issued',
    noReceipt: 'receipt pending',
  },
  sw: {
    title: 'Risiti ya malipo',
    invoice: 'Ankara',
    from: 'Kutoka',
    billedTo: 'Kwa',
    item: 'Huduma / bidhaa',
    payments: 'Malipo ya M-PESA',
    total: 'Jumla ya ankara',
    paid: 'Jumla iliyolipwa',
    balance: 'Salio la kulipa',
    issued: 'Imetolewa',
    noReceipt: 'risiti inasubiriwa',
  },
} as const;

function nairobi(date: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Africa/Nairobi',
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/**
 * The customer's receipt as a PDF. Uncompressed content streams: receipts are small, and plain
 * streams let tests (and people) read the text back without a PDF library.
 */
export function renderReceiptPdf(data: ReceiptData): Promise<Buffer> {
  const l = LABELS[data.locale];
  const doc = new PDFDocument({
    size: 'A5',
    margin: 40,
    compress: false,
    info: { Title: `${l.title} ${data.ref}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(l.title);
  doc
    .moveDown(0.3)
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#444')
    .text(`${l.invoice} ${data.ref}`);
  doc.text(`${l.issued}: ${nairobi(data.issuedAt)}`).fillColor('#000');
  doc.moveDown();
  doc.font('Helvetica-Bold').text(l.from).font('Helvetica').text(data.merchantName);
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').text(l.billedTo).font('Helvetica');
  doc.text([data.customerName, data.customerPhoneMasked].filter(Boolean).join(', '));
  doc.moveDown();
  doc
    .font('Helvetica-Bold')
    .text(l.item)
    .font('Helvetica')
    .text(`${data.description}   ${formatKes(data.amount)}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text(l.payments).font('Helvetica');
  for (const p of data.payments) {
    doc.text(`${nairobi(p.completedAt)}   ${p.receipt ?? l.noReceipt}   ${formatKes(p.amount)}`);
  }
  doc.moveDown();
  doc.text(`${l.total}: ${formatKes(data.amount)}`);
  doc.text(`${l.paid}: ${formatKes(data.amountPaid)}`);
  doc.font('Helvetica-Bold').text(`${l.balance}: ${formatKes(data.balance)}`);
  doc.end();
  return done;
}

/** Reads the text drawn by `renderReceiptPdf` back out of its uncompressed content streams. */
export function extractPdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const out: string[] = [];
  for (const match of source.matchAll(/\[((?:<[0-9a-fA-F]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g)) {
    const hexes = [...match[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]);
    out.push(hexes.map((h) => Buffer.from(h, 'hex').toString('latin1')).join(''));
  }
  return out.join('\n');
}
