import type { AnyStateMachine } from 'xstate';

type AnyNode = AnyStateMachine['root'];

const safeId = (node: AnyNode): string => node.path.join('_') || 'root';

function describeTransition(eventType: string, guard: unknown): string {
  const guardName =
    typeof guard === 'string'
      ? guard
      : guard && typeof guard === 'object' && 'type' in guard
        ? String(guard.type)
        : undefined;
  return guardName ? `${eventType} [${guardName}]` : eventType;
}

/** Mermaid `stateDiagram-v2` of a machine: states, nesting, initial and final states, events and guards. */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const edges: string[] = [];

  const visit = (node: AnyNode, indent: string): void => {
    const children: AnyNode[] = Object.values(node.states);
    if (children.length > 0) {
      const initialTarget = node.initial?.target?.[0] as AnyNode | undefined;
      if (initialTarget) lines.push(`${indent}[*] --> ${safeId(initialTarget)}`);
      for (const child of children) {
        lines.push(`${indent}state "${child.key}" as ${safeId(child)}`);
        if ((Object.keys(child.states).length ?? 0) > 0) {
          lines.push(`${indent}state ${safeId(child)} {`);
          visit(child, `${indent}  `);
          lines.push(`${indent}}`);
        }
        if (child.type === 'final') lines.push(`${indent}${safeId(child)} --> [*]`);
      }
    }
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) {
        const targets = (t.target ?? [node]) as AnyNode[];
        for (const target of targets) {
          edges.push(
            `  ${safeId(node)} --> ${safeId(target)}: ${describeTransition(eventType, t.guard)}`,
          );
        }
      }
    }
    for (const child of children) {
      if (Object.keys(child.states).length === 0) visit(child, indent);
    }
  };

  visit(machine.root, '  ');
  return [...lines, ...edges].join('\n') + '\n';
}

/** The machine's config as plain JSON (actions and guards are referenced by name). */
export function toDefinitionJson(machine: AnyStateMachine): unknown {
  return JSON.parse(JSON.stringify(machine.config)) as unknown;
}
