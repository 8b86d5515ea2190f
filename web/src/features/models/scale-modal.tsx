import { Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';

/** Asks for a new replica count (0 keeps the model deployed with nothing running). */
export function ScaleModal({
  uid,
  current,
  opened,
  onClose,
  onSubmit,
  busy,
}: {
  uid: string;
  current: number;
  opened: boolean;
  onClose: () => void;
  onSubmit: (replicas: number) => void;
  busy?: boolean;
}) {
  const [value, setValue] = useState<number | string>(current);
  useEffect(() => {
    if (opened) setValue(current);
  }, [opened, current]);
  const n = typeof value === 'number' ? value : Number.parseInt(value, 10);
  const valid = Number.isInteger(n) && n >= 0 && n <= 1000;
  return (
    <Modal opened={opened} onClose={onClose} title={`Scale ${uid}`} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onSubmit(n);
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Currently {current} replica{current === 1 ? '' : 's'}. The scheduler places or removes replicas to
            match.
          </Text>
          <NumberInput
            label="Replicas"
            min={0}
            max={1000}
            value={value}
            onChange={setValue}
            data-autofocus
            allowDecimal={false}
            error={valid ? null : 'A whole number from 0 to 1000'}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={!valid || n === current} loading={busy ?? false}>
              Scale
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
