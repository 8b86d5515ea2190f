import { Alert, Loader, Select, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/errors.ts';
import type { CatalogModelDetail, CatalogProvider } from '../../api/types.ts';
import { useApi } from '../../auth/context.tsx';
import { formatBytes } from '../../lib/format.ts';

type Variant = CatalogModelDetail['gguf_variants'][number];

/** How a variant reads in the list: `Q4_K_M · file.gguf · 469 MiB` (split models say how many parts). Pure. */
export function variantLabel(v: Variant): string {
  const parts = v.files.length > 1 ? ` (${v.files.length} parts)` : '';
  return `${v.quant ?? 'GGUF'} · ${v.name}${parts} · ${v.size === null ? 'size unknown' : formatBytes(v.size)}`;
}

/** The Select's options: the default rule first (value ''), then every variant by its file name. Pure. */
export function variantOptions(d: Pick<CatalogModelDetail, 'gguf_variants' | 'gguf_default'>) {
  const def = d.gguf_variants.find((v) => v.name === d.gguf_default);
  return [
    { value: '', label: def ? `Default: ${variantLabel(def)}` : 'Default' },
    ...d.gguf_variants.map((v) => ({ value: v.name, label: variantLabel(v) })),
  ];
}

/**
 * The GGUF variant llama.cpp loads, chosen from the repository's variants (the catalog detail): '' keeps
 * the default rule, anything else is the variant's file name (sent as `gguf_file`).
 */
export function GgufVariantSelect({
  provider,
  repo,
  value,
  onChange,
}: {
  provider: CatalogProvider;
  repo: string;
  value: string;
  onChange: (file: string) => void;
}) {
  const api = useApi();
  const detail = useQuery({
    queryKey: ['catalog-model', provider, repo],
    queryFn: () => api.catalog.get(provider, repo),
    enabled: repo !== '',
    retry: false,
  });
  if (detail.isLoading) {
    return (
      <Text size="sm" c="dimmed">
        <Loader size="xs" mr={6} />
        Reading the GGUF variants of {repo}…
      </Text>
    );
  }
  if (detail.isError) {
    return (
      <Alert color="yellow" variant="light" title="Could not list the GGUF variants">
        {errorMessage(detail.error)}. The default variant will be loaded.
      </Alert>
    );
  }
  const d = detail.data;
  if (!d) return null;
  if (d.gguf_variants.length === 0) {
    return (
      <Alert color="red" variant="light" title="No GGUF files">
        {repo} has no .gguf file: llama.cpp cannot load it. Pick a GGUF repository or another engine.
      </Alert>
    );
  }
  return (
    <Select
      label="GGUF variant"
      description={`Only this file is downloaded. Default: ${d.gguf_default_rule}.`}
      data={variantOptions(d)}
      value={value}
      onChange={(v) => onChange(v ?? '')}
      allowDeselect={false}
      searchable
    />
  );
}
