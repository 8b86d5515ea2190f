import {
  NumberInput,
  SegmentedControl,
  Select,
  Text,
  type NumberInputProps,
  type SegmentedControlProps,
  type SelectProps,
} from '@mantine/core';
import { MODEL_UID_PATTERN } from '../../lib/format.ts';
import { ENGINES, SOURCES } from '../../lib/states.ts';

/** Why a typed model uid is not valid, or null (empty: the server derives one). */
export const uidError = (v: string) =>
  v && !MODEL_UID_PATTERN.test(v)
    ? 'lowercase letters, digits and "-", starting with a letter (max 63)'
    : null;

const SOURCE_OPTIONS = SOURCES.map((s) => ({ value: s.value, label: s.label }));

/** Where a model's files come from (Hugging Face, ModelScope, a local path), labelled above. */
export function SourceControl(props: Omit<SegmentedControlProps, 'data'>) {
  return (
    <div>
      <Text size="sm" fw={500} mb={4}>
        Model source
      </Text>
      <SegmentedControl fullWidth data={SOURCE_OPTIONS} aria-label="Model source" {...props} />
    </div>
  );
}

const ENGINE_OPTIONS = ENGINES.map((e) => ({ value: e.value, label: e.label }));

/** The engine picker of every model form (load, import, template). */
export function EngineSelect(props: Omit<SelectProps, 'data'>) {
  return <Select label="Engine" data={ENGINE_OPTIONS} allowDeselect={false} {...props} />;
}

/** A replica count: a whole number from 0 to 1000, as the API accepts. */
export function ReplicasInput(props: NumberInputProps) {
  return <NumberInput label="Replicas" min={0} max={1000} allowDecimal={false} {...props} />;
}

/** GPUs per replica: a whole number from 0 (CPU) to 16. */
export function GpuCountInput(props: NumberInputProps) {
  return <NumberInput label="GPUs per replica" min={0} max={16} allowDecimal={false} {...props} />;
}
