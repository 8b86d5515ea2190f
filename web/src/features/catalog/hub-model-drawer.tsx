import { Badge, Button, Drawer, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { CatalogItem } from '../../api/types.ts';
import { useApi, usePermissions } from '../../auth/context.tsx';
import { ErrorState } from '../../components/error-state.tsx';
import { TableSkeleton } from '../../components/skeletons.tsx';
import { formatBytes, formatCount, formatDateTime } from '../../lib/format.ts';
import { SOURCE_LABEL } from '../../lib/states.ts';
import { Fields } from '../models/detail-sections.tsx';

/** A hub model's metadata and files (seed 004 §3.2 "view basic metadata"). */
export function HubModelDrawer({
  item,
  onClose,
  onDownload,
}: {
  item: CatalogItem | null;
  onClose: () => void;
  onDownload: (item: CatalogItem) => void;
}) {
  const api = useApi();
  const { canOperate } = usePermissions();
  const detail = useQuery({
    queryKey: ['catalog-model', item?.source, item?.id],
    queryFn: () => api.catalog.get(item?.source ?? 'huggingface', item?.id ?? ''),
    enabled: item !== null,
  });
  const d = detail.data;
  return (
    <Drawer
      opened={item !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={
        <Text fw={600} ff="monospace">
          {item?.id}
        </Text>
      }
    >
      {item ? (
        <Stack>
          {detail.isError ? <ErrorState error={detail.error} onRetry={() => void detail.refetch()} /> : null}
          {!d && !detail.isError ? <TableSkeleton rows={6} /> : null}
          {d ? (
            <>
              <Fields
                rows={[
                  ['Source', SOURCE_LABEL[d.source]],
                  ['Author', d.author ?? '—'],
                  ['Task', d.task ?? '—'],
                  ['Library', d.library ?? '—'],
                  ['Revision', `${d.revision}${d.sha ? ` (${d.sha.slice(0, 12)})` : ''}`],
                  ['Total size', formatBytes(d.total_size ?? d.size)],
                  ['Downloads', formatCount(d.downloads)],
                  ['Likes', formatCount(d.likes)],
                  ['Updated', formatDateTime(d.updated_at)],
                  [
                    'Access',
                    d.gated ? (
                      <Badge key="g" color="orange" variant="light">
                        gated: needs a hub token on the nodes
                      </Badge>
                    ) : (
                      'public'
                    ),
                  ],
                  [
                    'Tags',
                    <Group key="t" gap={4}>
                      {d.tags.slice(0, 20).map((t) => (
                        <Badge key={t} variant="default" size="sm">
                          {t}
                        </Badge>
                      ))}
                    </Group>,
                  ],
                ]}
              />
              {d.gguf_variants.length > 0 ? (
                <>
                  <Text fw={600} mt="sm">
                    GGUF variants ({d.gguf_variants.length})
                  </Text>
                  <Text size="xs" c="dimmed">
                    llama.cpp loads one; only that one is downloaded. Default: {d.gguf_default_rule}.
                  </Text>
                  <Table fz="sm" aria-label="GGUF variants">
                    <Table.Tbody>
                      {d.gguf_variants.map((v) => (
                        <Table.Tr key={v.name}>
                          <Table.Td>{v.quant ?? '—'}</Table.Td>
                          <Table.Td ff="monospace">
                            {v.name}
                            {v.files.length > 1 ? ` (${v.files.length} parts)` : ''}
                          </Table.Td>
                          <Table.Td ta="right">{formatBytes(v.size)}</Table.Td>
                          <Table.Td>
                            {v.default ? (
                              <Badge size="sm" variant="light">
                                default
                              </Badge>
                            ) : null}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </>
              ) : null}
              <Text fw={600} mt="sm">
                Files ({d.files.length})
              </Text>
              <ScrollArea.Autosize mah={320}>
                <Table fz="sm">
                  <Table.Tbody>
                    {d.files.map((f) => (
                      <Table.Tr key={f.path}>
                        <Table.Td ff="monospace">{f.path}</Table.Td>
                        <Table.Td ta="right">{formatBytes(f.size)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
            </>
          ) : null}
          {canOperate ? (
            <Group justify="flex-end">
              <Button leftSection={<IconDownload size={16} />} onClick={() => onDownload(item)}>
                Download
              </Button>
            </Group>
          ) : null}
        </Stack>
      ) : null}
    </Drawer>
  );
}
