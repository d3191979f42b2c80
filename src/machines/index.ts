import type { MachineDefinition } from '../runtime/machine-definition';
import { invoiceDefinition } from './invoice.machine';
import { deliveryDefinition } from './delivery.machine';
import { conversationDefinition } from './conversation.machine';

/** Every production machine. Each domain module registers its own at start-up; this list feeds `npm run machines:export`. */
export const MACHINE_DEFINITIONS: MachineDefinition[] = [
  invoiceDefinition,
  deliveryDefinition,
  conversationDefinition,
];
