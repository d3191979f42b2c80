/** The demo cast of sandbox mode: one merchant and two customers, with fixed numbers. */
export const DEMO_MERCHANT = {
  name: "Mama Njeri's Kitchen",
  phone: '+254711000001',
  locale: 'en' as const,
};
export const DEMO_CUSTOMERS = [
  { name: 'Wanjiku', phone: '+254722000002' },
  { name: 'Otieno', phone: '+254733000003' },
] as const;
/** The PIN the sandbox STK prompt accepts; any other PIN is a wrong PIN (ResultCode 2001). */
export const DEMO_PIN = '1234';
