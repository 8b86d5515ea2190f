import { Group, Text } from '@mantine/core';

/** The Nebula mark and name. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <Group gap={8} wrap="nowrap">
      <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden>
        <defs>
          <radialGradient id="nb-logo" cx="40%" cy="40%" r="60%">
            <stop offset="0" stopColor="#a5d8ff" />
            <stop offset=".55" stopColor="#7950f2" />
            <stop offset="1" stopColor="#1c1b4a" />
          </radialGradient>
        </defs>
        <circle cx="16" cy="16" r="14" fill="url(#nb-logo)" />
        <circle cx="11" cy="12" r="1.6" fill="#fff" />
        <circle cx="20" cy="19" r="1.1" fill="#fff" opacity=".8" />
        <circle cx="22" cy="10" r=".8" fill="#fff" opacity=".7" />
      </svg>
      <Text fw={750} fz={size * 0.68} style={{ letterSpacing: -0.3 }}>
        Nebula
      </Text>
    </Group>
  );
}
