/**
 * Which OpenTelemetry export a process does, read from the standard OTEL_* variables (pure, so it is
 * tested without an exporter). Nothing is exported unless an OTLP endpoint is configured.
 */
import { ConfigError } from './errors.js';

export interface TracingConfig {
  /** Full OTLP/HTTP traces URL (`.../v1/traces`). */
  url: string;
  serviceName: string;
  /** Extra export headers (OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS: `k=v,k2=v2`, values URL-encoded). */
  headers: Record<string, string>;
}

function httpUrl(raw: string, name: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL: "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL (OTLP/HTTP), got "${raw}"`);
  }
  return u;
}

function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) continue;
    try {
      out[k.toLowerCase()] = decodeURIComponent(v);
    } catch {
      out[k.toLowerCase()] = v;
    }
  }
  return out;
}

/**
 * The export configuration, or undefined when tracing is off: no `OTEL_EXPORTER_OTLP_ENDPOINT` (nor the
 * traces-specific `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), or `OTEL_SDK_DISABLED=true`, or
 * `OTEL_TRACES_EXPORTER=none`. Per the OTLP spec the generic endpoint gets `/v1/traces` appended and the
 * traces-specific one is used as is. `OTEL_SERVICE_NAME` overrides the role's own name.
 */
export function tracingConfigFromEnv(
  env: Record<string, string | undefined>,
  serviceName: string,
): TracingConfig | undefined {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return undefined;
  if ((env['OTEL_TRACES_EXPORTER'] ?? '').trim().toLowerCase() === 'none') return undefined;
  const specific = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  const generic = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  let url: string;
  if (specific) {
    url = httpUrl(specific, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT').toString();
  } else if (generic) {
    const base = httpUrl(generic, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    url = `${base.toString().replace(/\/+$/, '')}/v1/traces`;
  } else {
    return undefined;
  }
  return {
    url,
    serviceName: env['OTEL_SERVICE_NAME']?.trim() || serviceName,
    headers: {
      ...parseHeaders(env['OTEL_EXPORTER_OTLP_HEADERS']),
      ...parseHeaders(env['OTEL_EXPORTER_OTLP_TRACES_HEADERS']),
    },
  };
}
